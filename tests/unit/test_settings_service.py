"""The facade the view uses, against in-memory stores and the shipped servers.json."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from app.settings.auth import AuthConfig
from app.settings.errors import (
    InvalidSettingError,
    MissingSecretError,
    ReadOnlyServerError,
    ServerValidationError,
    StorageQuotaError,
    UnknownServerError,
)
from app.settings.model import AuthType, ServerConfig, ServerDraft
from app.settings.notices import Notice, NoticeCode, NoticeLevel
from app.settings.roots import ServerRoots
from app.settings.service import ServerEntry, SettingsService
from app.settings.storage import SETTINGS_KEY
from app.settings.store import MemoryStore

SHIPPED_JSON = (
    Path(__file__).resolve().parents[2] / "assets" / "servers.json"
).read_text("utf-8")
LOCAL_ID = "6f1c2a9e-3b7d-4e58-9a41-0c2d8e7f5b63"
SAMPLE_ID = "65bc1aa4-ee81-415e-9237-8c8d78eb921b"
# Most tests are about one read-only preset: the shipped Local Server on its own.
ORGANISATION_JSON = json.dumps(
    {
        **json.loads(SHIPPED_JSON),
        "servers": [
            record
            for record in json.loads(SHIPPED_JSON)["servers"]
            if record["server_id"] == LOCAL_ID
        ],
    }
)
USER_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
OTHER_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def make(persistent=None, session=None, organisation=ORGANISATION_JSON):
    persistent = persistent if persistent is not None else MemoryStore()
    session = session if session is not None else MemoryStore()
    service = SettingsService(persistent, session, organisation)
    service.load()
    return service, persistent, session


def stored(persistent):
    return json.loads(persistent.items[SETTINGS_KEY])


def user_draft(**overrides):
    values = {
        "server_id": USER_ID,
        "name": "Hospital PACS",
        "url": "https://pacs.example.org/dicom-web",
        "qido_postfix": "rs",
        "wado_postfix": "rs",
    }
    return ServerDraft(**{**values, **overrides})


# Loading ------------------------------------------------------------------------


def test_first_start_shows_the_read_only_presets_with_the_sample_selected():
    service, persistent, _ = make(organisation=SHIPPED_JSON)

    state = service.state
    assert [(e.server.name, e.read_only) for e in state.entries] == [
        ("Sample Server", True),
        ("Local Server", True),
    ]
    assert state.selected_server_id == SAMPLE_ID
    assert state.notices == ()
    assert persistent.items == {}


def test_damaged_settings_still_show_the_organisation_servers():
    persistent = MemoryStore({SETTINGS_KEY: "not json"})

    service, _, _ = make(persistent)

    assert [e.server.server_id for e in service.state.entries] == [LOCAL_ID]
    assert service.state.selected_server_id == LOCAL_ID
    assert [n.code for n in service.state.notices] == [NoticeCode.SETTINGS_NOT_JSON]
    assert persistent.items["zhiva.settings.backup-1"] == "not json"
    assert service.backup_keys() == ["zhiva.settings.backup-1"]
    assert service.read_backup("zhiva.settings.backup-1") == "not json"
    assert service.read_backup(SETTINGS_KEY) is None


def test_a_broken_organisation_list_is_a_notice_not_a_crash():
    service, _, _ = make(organisation="{")

    assert service.state.entries == ()
    assert service.state.selected_server_id is None
    assert [n.code for n in service.state.notices] == [
        NoticeCode.ORGANISATION_LIST_UNAVAILABLE
    ]


def test_a_selection_that_disappeared_falls_back_to_the_first_server():
    document = {"version": 2, "servers": [], "selected_server_id": OTHER_ID}
    persistent = MemoryStore({SETTINGS_KEY: json.dumps(document)})

    service, _, _ = make(persistent)

    assert service.state.selected_server_id == LOCAL_ID
    assert service.state.notices == (
        Notice(
            NoticeCode.SELECTION_RESET,
            'The server you had selected is no longer in the list. "Local Server" is '
            "selected now.",
            level=NoticeLevel.INFO,
        ),
    )


V1_TEXT = json.dumps(
    [
        {
            "uuid": USER_ID,
            "friendlyName": "Hospital PACS",
            "serverUrl": "https://pacs.example.org",
            "authType": "Bearer Token",
            "token": "tok-from-v1",
            "selected": True,
        }
    ]
)


def test_version_1_is_migrated_and_its_secret_moved_out_of_the_settings():
    service, persistent, session = make(MemoryStore({SETTINGS_KEY: V1_TEXT}))

    assert service.state.selected_server_id == USER_ID
    assert persistent.items[f"zhiva.secret.{USER_ID}"] == "tok-from-v1"
    assert session.items == {}
    assert "tok-from-v1" not in persistent.items[SETTINGS_KEY]
    assert stored(persistent)["version"] == 2
    assert stored(persistent)["servers"][0]["remember_secret"] is True
    assert service.auth_for(USER_ID) == AuthConfig(AuthType.BEARER, "", "tok-from-v1")
    assert [n.code for n in service.state.notices] == [NoticeCode.SETTINGS_MIGRATED]


def test_a_migration_that_does_not_fit_leaves_the_old_text():
    persistent = MemoryStore(
        {SETTINGS_KEY: V1_TEXT}, quota=len(SETTINGS_KEY) + len(V1_TEXT)
    )

    service, _, _ = make(persistent)

    assert persistent.items == {SETTINGS_KEY: V1_TEXT}
    assert [e.server.name for e in service.state.entries] == [
        "Local Server",
        "Hospital PACS",
    ]
    assert [n.code for n in service.state.notices] == [
        NoticeCode.SETTINGS_MIGRATED,
        NoticeCode.MIGRATION_NOT_SAVED,
    ]


# Selecting and saving ------------------------------------------------------------


def test_select_persists_the_choice():
    service, persistent, _ = make()
    service.save_draft(user_draft())

    state = service.select(LOCAL_ID)

    assert state.selected_server_id == LOCAL_ID
    assert stored(persistent)["selected_server_id"] == LOCAL_ID
    with pytest.raises(UnknownServerError):
        service.select(OTHER_ID)


def test_new_draft_is_empty_with_a_fresh_uuid_and_cannot_be_saved():
    service, persistent, _ = make()

    draft = service.new_draft()

    assert replace(draft, server_id="") == ServerDraft()
    assert sorted(service.validate(draft).errors) == ["name", "url"]
    with pytest.raises(ServerValidationError) as caught:
        service.save_draft(draft)
    assert sorted(caught.value.errors) == ["name", "url"]
    assert persistent.items == {}


def test_saving_a_new_server_adds_and_selects_it_with_the_secret_in_the_session():
    service, persistent, session = make()
    draft = user_draft(auth_type="basic", username="viewer", secret="pw-123")

    state = service.save_draft(draft)

    assert state.selected_server_id == USER_ID
    assert state.entries[1] == ServerEntry(
        ServerConfig(
            server_id=USER_ID,
            name="Hospital PACS",
            url="https://pacs.example.org/dicom-web",
            qido_postfix="rs",
            wado_postfix="rs",
            auth_type=AuthType.BASIC,
            username="viewer",
        ),
        read_only=False,
    )
    assert session.items == {f"zhiva.secret.{USER_ID}": "pw-123"}
    assert "pw-123" not in persistent.items[SETTINGS_KEY]
    assert list(persistent.items) == [SETTINGS_KEY]
    assert stored(persistent)["servers"][0]["username"] == "viewer"
    assert service.auth_for(USER_ID) == AuthConfig(AuthType.BASIC, "viewer", "pw-123")
    assert service.masked_secret(USER_ID) == "••••"


def test_remember_on_this_device_keeps_the_secret_in_the_persistent_store():
    service, persistent, session = make()

    service.save_draft(
        user_draft(auth_type="bearer", secret="token-abcdef-123", remember_secret=True)
    )

    assert session.items == {}
    assert persistent.items[f"zhiva.secret.{USER_ID}"] == "token-abcdef-123"
    assert service.masked_secret(USER_ID) == "••••23"


def test_editing_a_user_server_replaces_it_in_place():
    service, persistent, _ = make()
    service.save_draft(user_draft())
    draft = service.edit_draft(USER_ID)

    assert draft.original_id == USER_ID
    assert service.validate(draft).is_valid is True  # its own name does not clash
    service.save_draft(replace(draft, name="Renamed"))

    assert [e.server.name for e in service.state.entries] == ["Local Server", "Renamed"]
    assert [s["name"] for s in stored(persistent)["servers"]] == ["Renamed"]


def test_changing_the_uuid_of_a_user_server_moves_its_secret():
    service, _, session = make()
    service.save_draft(user_draft(auth_type="bearer", secret="tok"))

    draft = replace(service.edit_draft(USER_ID), server_id=OTHER_ID)
    service.save_draft(draft)

    assert [e.server.server_id for e in service.state.entries] == [LOCAL_ID, OTHER_ID]
    assert session.items == {f"zhiva.secret.{OTHER_ID}": "tok"}


def test_switching_to_no_authentication_forgets_the_secret():
    service, _, session = make()
    service.save_draft(user_draft(auth_type="bearer", secret="tok"))

    service.save_draft(replace(service.edit_draft(USER_ID), auth_type="none"))

    assert session.items == {}
    assert service.auth_for(USER_ID) == AuthConfig()


def test_saving_a_preset_unchanged_only_selects_it():
    service, persistent, _ = make()
    service.save_draft(user_draft())

    state = service.save_draft(service.edit_draft(LOCAL_ID))

    assert len(state.entries) == 2
    assert state.selected_server_id == LOCAL_ID
    assert stored(persistent)["selected_server_id"] == LOCAL_ID


def test_an_edited_preset_becomes_a_user_copy_and_the_preset_stays():
    service, persistent, _ = make()
    preset = service.state.entries[0].server
    draft = replace(service.edit_draft(LOCAL_ID), url="https://192.168.1.20/zhiva/pacs")

    state = service.save_draft(draft)

    assert state.entries[0] == ServerEntry(preset, read_only=True)
    copy = state.entries[1].server
    assert state.entries[1].read_only is False
    assert copy == replace(
        preset,
        server_id=copy.server_id,
        name="Local Server (2)",
        url="https://192.168.1.20/zhiva/pacs",
        derived_from=LOCAL_ID,
    )
    assert copy.server_id != LOCAL_ID
    assert state.selected_server_id == copy.server_id
    assert state.notices == (
        Notice(
            NoticeCode.PRESET_COPIED,
            'Your changes to "Local Server" were saved as your own server "Local '
            'Server (2)"; the organisation\'s "Local Server" is still in the list.',
            level=NoticeLevel.INFO,
        ),
    )
    assert [s["derived_from"] for s in stored(persistent)["servers"]] == [LOCAL_ID]
    assert service.resolve_roots(copy.server_id) == ServerRoots(
        root="https://192.168.1.20/zhiva/pacs",
        qido_rs="https://192.168.1.20/zhiva/pacs/rs",
        wado_rs="https://192.168.1.20/zhiva/pacs/rs",
        wado_uri="https://192.168.1.20/zhiva/pacs/wado",
    )


def test_an_edited_preset_keeps_a_name_the_user_chose():
    service, _, _ = make()
    draft = replace(
        service.edit_draft(LOCAL_ID), name="My Lab", url="https://10.0.0.5/pacs"
    )

    state = service.save_draft(draft)

    assert state.entries[1].server.name == "My Lab"


def test_duplicate_draft_is_a_new_copy_with_the_secret():
    service, _, _ = make()
    service.save_draft(user_draft(auth_type="bearer", secret="tok"))

    draft = service.duplicate_draft(USER_ID)

    assert draft.original_id is None
    assert draft.server_id not in (USER_ID, "")
    assert (draft.name, draft.secret, draft.derived_from) == (
        "Hospital PACS (2)",
        "tok",
        USER_ID,
    )
    state = service.save_draft(draft)
    assert [e.server.name for e in state.entries] == [
        "Local Server",
        "Hospital PACS",
        "Hospital PACS (2)",
    ]
    assert service.get_secret(draft.server_id) == "tok"


def test_a_quota_error_on_save_keeps_the_state_and_the_stored_value():
    service, persistent, _ = make()
    service.save_draft(user_draft())
    before_text, before_state = persistent.items[SETTINGS_KEY], service.state
    persistent.quota = len(SETTINGS_KEY) + len(before_text)

    with pytest.raises(StorageQuotaError):
        service.save_draft(
            user_draft(server_id=OTHER_ID, name="Second", url="https://b.org")
        )

    assert persistent.items[SETTINGS_KEY] == before_text
    assert service.state == before_state


# Deleting -------------------------------------------------------------------------


def test_delete_removes_a_user_server_and_its_secret_and_reselects():
    service, persistent, session = make()
    service.save_draft(user_draft(auth_type="bearer", secret="tok"))

    state = service.delete(USER_ID)

    assert [e.server.server_id for e in state.entries] == [LOCAL_ID]
    assert state.selected_server_id == LOCAL_ID
    assert session.items == {}
    assert stored(persistent)["servers"] == []


def test_presets_cannot_be_deleted():
    service, _, _ = make()

    with pytest.raises(ReadOnlyServerError) as caught:
        service.delete(LOCAL_ID)

    assert str(caught.value) == (
        'The server "Local Server" comes from your organisation\'s list and cannot be '
        "deleted. Duplicate it to make a copy of your own."
    )


# Secrets and authentication -------------------------------------------------------


def test_auth_without_a_stored_secret_says_what_to_do():
    persistent = MemoryStore()
    service, _, _ = make(persistent)
    service.save_draft(user_draft(auth_type="basic", username="viewer", secret="pw"))

    # A new tab: the session store is empty again.
    fresh, _, _ = make(persistent)
    with pytest.raises(MissingSecretError) as caught:
        fresh.auth_for(USER_ID)

    assert str(caught.value) == (
        'The password for "Hospital PACS" is not stored in this browser session. '
        'Enter it under Settings > Servers; tick "Remember on this device" to keep it.'
    )
    assert fresh.edit_draft(USER_ID).secret == ""
    fresh.set_secret(USER_ID, "pw-again")
    assert fresh.auth_for(USER_ID) == AuthConfig(AuthType.BASIC, "viewer", "pw-again")


def test_set_secret_follows_the_rules_of_the_field():
    service, _, _ = make()
    service.save_draft(user_draft(auth_type="bearer", secret="tok"))

    with pytest.raises(InvalidSettingError) as caught:
        service.set_secret(USER_ID, "Bearer tok")
    assert caught.value.field == "secret"
    with pytest.raises(InvalidSettingError) as caught:
        service.set_secret(LOCAL_ID, "x")
    assert str(caught.value) == (
        'The server "Local Server" uses no authentication, so it has no password or '
        "token to set. Choose an Authentication Type first."
    )


def test_no_secret_in_the_repr_of_anything_the_view_holds():
    service, _, _ = make()
    service.save_draft(
        user_draft(auth_type="basic", username="viewer", secret="pw-SECRET")
    )

    texts = [
        repr(service.state),
        repr(service.edit_draft(USER_ID)),
        repr(service.auth_for(USER_ID)),
        repr(service.validate(service.edit_draft(USER_ID))),
    ]

    assert all("pw-SECRET" not in text for text in texts)


# Import and export ----------------------------------------------------------------


def test_export_then_import_on_another_device_without_secrets():
    service, _, _ = make()
    service.save_draft(
        user_draft(auth_type="bearer", secret="tok-secret", remember_secret=True)
    )
    exported = service.export_user_servers()
    assert "tok-secret" not in exported

    other, other_store, _ = make()
    result = other.read_import(exported, "servers-export.json")
    assert other_store.items == {}  # reading changes nothing
    state = other.add_servers(result.servers)

    assert [e.server.name for e in state.entries] == ["Local Server", "Hospital PACS"]
    assert state.entries[1].server.remember_secret is False
    assert state.selected_server_id == LOCAL_ID
    assert [s["name"] for s in stored(other_store)["servers"]] == ["Hospital PACS"]
    with pytest.raises(MissingSecretError):
        other.auth_for(USER_ID)


def test_add_servers_makes_names_unique_again():
    service, _, _ = make()
    result = service.read_import(service.export_user_servers(), "x.json")
    imported = ServerConfig(server_id=USER_ID, name="local server", url="https://a.org")

    state = service.add_servers([*result.servers, imported])

    assert [e.server.name for e in state.entries] == [
        "Local Server",
        "local server (2)",
    ]
    assert [n.code for n in state.notices] == [NoticeCode.IMPORT_RENAMED]


def test_discard_backup_removes_only_that_backup():
    persistent = MemoryStore({SETTINGS_KEY: "[oops", "other.key": "kept"})
    service, _, _ = make(persistent)

    service.discard_backup("zhiva.settings.backup-1")
    service.discard_backup("other.key")

    assert service.backup_keys() == []
    assert persistent.items["other.key"] == "kept"


# A preset that needs a password ---------------------------------------------------

TEAM_ID = "3d2b1c4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
TEAM_LIST = json.dumps(
    {
        "format": "zhiva-servers",
        "version": 1,
        "servers": [
            {
                "server_id": TEAM_ID,
                "name": "Team PACS",
                "url": "https://pacs.example.org",
                "auth_type": "basic",
                "username": "team",
            }
        ],
    }
)


def test_entering_a_presets_password_keeps_it_without_making_a_copy():
    service, persistent, session = make(organisation=TEAM_LIST)
    draft = service.edit_draft(TEAM_ID)
    assert (draft.secret, draft.remember_secret) == ("", False)

    state = service.save_draft(replace(draft, secret="pw", remember_secret=True))

    assert [e.server.server_id for e in state.entries] == [TEAM_ID]
    assert persistent.items[f"zhiva.secret.{TEAM_ID}"] == "pw"
    assert session.items == {}
    assert service.auth_for(TEAM_ID) == AuthConfig(AuthType.BASIC, "team", "pw")
    again = service.edit_draft(TEAM_ID)
    assert (again.secret, again.remember_secret) == ("pw", True)


def test_changing_a_presets_user_name_makes_a_copy():
    service, _, session = make(organisation=TEAM_LIST)
    draft = replace(service.edit_draft(TEAM_ID), username="me", secret="pw")

    state = service.save_draft(draft)

    copy = state.entries[1].server
    assert (copy.name, copy.username, copy.derived_from) == (
        "Team PACS (2)",
        "me",
        TEAM_ID,
    )
    assert session.items == {f"zhiva.secret.{copy.server_id}": "pw"}
