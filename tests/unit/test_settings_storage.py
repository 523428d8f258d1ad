"""The versioned settings key: save, load, migrate from version 1, recover damage."""

from __future__ import annotations

import json

import pytest

from app.settings.errors import StorageQuotaError
from app.settings.model import AuthType, RenderingProtocol, ServerConfig
from app.settings.notices import Notice, NoticeCode, NoticeLevel
from app.settings.storage import (
    SETTINGS_KEY,
    LoadedSettings,
    backup_keys,
    keep_backup,
    load_settings,
    save_settings,
)
from app.settings.store import MemoryStore

PRESET = ServerConfig(
    server_id="6f1c2a9e-3b7d-4e58-9a41-0c2d8e7f5b63",
    name="Local Server",
    url="https://localhost/zhiva/pacs",
)
SERVER = ServerConfig(
    server_id="0f8fad5b-d9cb-469f-a165-70867728950e",
    name="PACS",
    url="https://pacs.example.org",
    qido_postfix="rs",
)
OTHER_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def record(**overrides):
    base = {
        "server_id": SERVER.server_id,
        "name": "PACS",
        "url": "https://pacs.example.org",
    }
    return {**base, **overrides}


def v2(servers, selected=None):
    return json.dumps(
        {"version": 2, "servers": servers, "selected_server_id": selected}
    )


# Saving and loading -----------------------------------------------------------------


def test_nothing_stored_loads_nothing_without_notices():
    assert load_settings(MemoryStore(), [PRESET]) == LoadedSettings()


def test_saved_document_has_one_versioned_key():
    store = MemoryStore()

    save_settings(store, [SERVER], SERVER.server_id)

    assert list(store.items) == [SETTINGS_KEY]
    document = json.loads(store.items[SETTINGS_KEY])
    assert document["version"] == 2
    assert document["selected_server_id"] == SERVER.server_id
    assert [entry["name"] for entry in document["servers"]] == ["PACS"]


def test_saved_settings_load_back_unchanged():
    store = MemoryStore()
    save_settings(store, [SERVER], PRESET.server_id)

    loaded = load_settings(store, [PRESET])

    assert loaded == LoadedSettings(
        servers=(SERVER,), selected_server_id=PRESET.server_id
    )


def test_quota_error_on_save_is_raised_and_the_old_value_stays():
    store = MemoryStore()
    save_settings(store, [SERVER], None)
    before = store.items[SETTINGS_KEY]
    store.quota = len(SETTINGS_KEY) + len(before)
    bigger = ServerConfig(
        server_id=OTHER_ID, name="Second", url="https://b.example.org"
    )

    with pytest.raises(StorageQuotaError) as caught:
        save_settings(store, [SERVER, bigger], None)

    assert caught.value.key == SETTINGS_KEY
    assert str(caught.value) == (
        "Could not save the server settings: the browser storage for this site is "
        "full. The settings saved before are unchanged. Delete servers you no longer "
        'use or old backups (keys starting "zhiva.settings.backup-") and save again.'
    )
    assert store.items[SETTINGS_KEY] == before


# Migration from version 1 -----------------------------------------------------------

V1_TEXT = json.dumps(
    [
        {
            "uuid": "0F8FAD5B-D9CB-469F-A165-70867728950E",
            "friendlyName": "PACS",
            "serverUrl": "https://pacs.example.org/",
            "serverPostfix": "dcm4chee-arc",
            "wadoUriPostfix": "wado",
            "wadoPostfix": "rs",
            "qidoPostfix": "rs",
            "qidoSupportsIncludeField": True,
            "enableStudyLazyLoad": True,
            "supportsFuzzyMatching": False,
            "imageRendering": "wadors",
            "thumbnailRendering": "wado",
            "authType": "Basic Auth",
            "username": "viewer",
            "password": "pw-from-v1",
            "selected": True,
        },
        {
            "uuid": OTHER_ID,
            "friendlyName": "Open",
            "serverUrl": "http://localhost:8042/dicom-web",
            "authType": "None",
        },
    ]
)


def test_version_1_list_is_migrated_to_version_2():
    loaded = load_settings(MemoryStore({SETTINGS_KEY: V1_TEXT}), [PRESET])

    assert loaded.servers == (
        ServerConfig(
            server_id=SERVER.server_id,
            name="PACS",
            url="https://pacs.example.org",
            server_postfix="dcm4chee-arc",
            wado_uri_postfix="wado",
            wado_postfix="rs",
            qido_postfix="rs",
            qido_supports_include_field=True,
            enable_study_lazy_load=True,
            thumbnail_rendering=RenderingProtocol.WADO,
            auth_type=AuthType.BASIC,
            username="viewer",
            remember_secret=True,
        ),
        ServerConfig(
            server_id=OTHER_ID, name="Open", url="http://localhost:8042/dicom-web"
        ),
    )
    assert loaded.selected_server_id == SERVER.server_id
    assert dict(loaded.migrated_secrets) == {SERVER.server_id: "pw-from-v1"}
    assert loaded.needs_saving is True
    assert loaded.notices == (
        Notice(
            NoticeCode.SETTINGS_MIGRATED,
            "Your saved servers were updated from settings version 1 to 2.",
            level=NoticeLevel.INFO,
        ),
    )


def test_migrated_secrets_never_show_in_repr():
    loaded = load_settings(MemoryStore({SETTINGS_KEY: V1_TEXT}))

    assert "pw-from-v1" not in repr(loaded)


def test_version_1_with_an_invalid_entry_keeps_the_text_in_a_backup():
    text = json.dumps(
        [
            {"uuid": OTHER_ID, "friendlyName": "Open", "serverUrl": "http://localhost"},
            {
                "uuid": "bad",
                "friendlyName": "Broken",
                "serverUrl": "http://example.org",
                "authType": "Kerberos",
            },
        ]
    )
    store = MemoryStore({SETTINGS_KEY: text})

    loaded = load_settings(store)

    assert [server.name for server in loaded.servers] == ["Open"]
    assert store.items["zhiva.settings.backup-1"] == text
    assert [notice.code for notice in loaded.notices] == [
        NoticeCode.SERVER_ENTRY_INVALID,
        NoticeCode.SETTINGS_MIGRATED,
    ]
    assert loaded.notices[0].message == (
        'Saved server entry 2 ("Broken") could not be loaded: Server UUID must be a '
        'version 4 UUID such as "0f8fad5b-d9cb-469f-a165-70867728950e". You entered '
        '"bad". Server URL must start with https:// (http:// is allowed only for '
        'localhost, 127.x.x.x and [::1]). You entered "http://example.org". '
        'Authentication Type "Kerberos" is not supported. Choose one of: None, Basic '
        'Auth, Bearer Token. The saved text was kept under "zhiva.settings.backup-1".'
    )


# Recovery ---------------------------------------------------------------------------


def test_text_that_is_not_json_is_backed_up_exactly():
    text = '{"version": 2, "servers": [ oops'
    store = MemoryStore({SETTINGS_KEY: text})

    loaded = load_settings(store, [PRESET])

    assert loaded.servers == ()
    assert store.items["zhiva.settings.backup-1"] == text
    assert store.items[SETTINGS_KEY] == text
    assert loaded.notices == (
        Notice(
            NoticeCode.SETTINGS_NOT_JSON,
            "Your saved servers could not be loaded: the text is not valid JSON "
            "(Expecting value at line 1, column 29). The saved text was kept under "
            '"zhiva.settings.backup-1". Only the organisation\'s servers are shown.',
            backup_key="zhiva.settings.backup-1",
        ),
    )
    assert loaded.needs_saving is False


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            '"just text"',
            "they are not a list of servers or an object with a version number",
        ),
        (
            '{"servers": []}',
            "they are not a list of servers or an object with a version number",
        ),
        (
            '{"version": true, "servers": []}',
            "they are not a list of servers or an object with a version number",
        ),
        ('{"version": 2, "servers": {}}', '"servers" must be a list of servers'),
        (
            '{"version": 2, "servers": [], "selected_server_id": 5}',
            '"selected_server_id" must be a server UUID or null',
        ),
    ],
)
def test_wrong_shape_is_backed_up_with_the_reason(text, reason):
    store = MemoryStore({SETTINGS_KEY: text})

    loaded = load_settings(store)

    assert store.items["zhiva.settings.backup-1"] == text
    assert [notice.code for notice in loaded.notices] == [
        NoticeCode.SETTINGS_WRONG_SHAPE
    ]
    assert loaded.notices[0].message == (
        f"Your saved servers could not be loaded: {reason}. The saved text was kept "
        'under "zhiva.settings.backup-1". Only the organisation\'s servers are shown.'
    )


def test_a_future_version_is_backed_up_not_read():
    text = v2([record()]).replace('"version": 2', '"version": 3')
    store = MemoryStore({SETTINGS_KEY: text})

    loaded = load_settings(store)

    assert loaded.servers == ()
    assert store.items["zhiva.settings.backup-1"] == text
    assert loaded.notices[0].code is NoticeCode.SETTINGS_FUTURE_VERSION
    assert loaded.notices[0].message == (
        "Your saved servers could not be loaded: they were saved by a newer version of "
        "the viewer (settings version 3; this one reads up to 2). Open the newer "
        'version to use them. The saved text was kept under "zhiva.settings.backup-1". '
        "Only the organisation's servers are shown."
    )


def test_valid_entries_load_and_invalid_ones_are_kept_in_the_backup():
    text = v2(
        [
            record(),
            record(server_id=OTHER_ID, name="Broken", url="ftp://x.org"),
            "not an object",
        ],
        selected=SERVER.server_id,
    )
    store = MemoryStore({SETTINGS_KEY: text})

    loaded = load_settings(store, [PRESET])

    assert loaded.servers == (
        ServerConfig(SERVER.server_id, "PACS", "https://pacs.example.org"),
    )
    assert loaded.selected_server_id == SERVER.server_id
    assert store.items["zhiva.settings.backup-1"] == text
    assert [(n.code, n.backup_key) for n in loaded.notices] == [
        (NoticeCode.SERVER_ENTRY_INVALID, "zhiva.settings.backup-1"),
        (NoticeCode.SERVER_ENTRY_INVALID, "zhiva.settings.backup-1"),
    ]
    assert loaded.notices[1].message == (
        "Saved server entry 3 could not be loaded: Each server must be a JSON object; "
        'found "not an object". The saved text was kept under "zhiva.settings.backup-1".'
    )
    assert loaded.needs_saving is False


def test_a_uuid_used_twice_or_by_a_preset_is_an_invalid_entry():
    text = v2(
        [record(), record(name="Again"), record(server_id=PRESET.server_id, name="X")]
    )

    loaded = load_settings(MemoryStore({SETTINGS_KEY: text}), [PRESET])

    assert [server.name for server in loaded.servers] == ["PACS"]
    assert [n.message.split(": ", 1)[1] for n in loaded.notices] == [
        f'Server UUID "{SERVER.server_id}" is already used by the server "PACS". '
        'Generate a new one. The saved text was kept under "zhiva.settings.backup-1".',
        f'Server UUID "{PRESET.server_id}" is already used by the server '
        '"Local Server". Generate a new one. The saved text was kept under '
        '"zhiva.settings.backup-1".',
    ]


def test_a_name_taken_by_a_preset_is_renamed_and_written_back():
    store = MemoryStore({SETTINGS_KEY: v2([record(name="local server")])})

    loaded = load_settings(store, [PRESET])

    assert [server.name for server in loaded.servers] == ["local server (2)"]
    assert loaded.notices == (
        Notice(
            NoticeCode.SERVER_RENAMED,
            'Your saved server "local server" was renamed to "local server (2)" '
            "because another server already has that name.",
            level=NoticeLevel.INFO,
        ),
    )
    assert loaded.needs_saving is True


def test_backups_are_never_overwritten_and_the_same_text_is_kept_once():
    store = MemoryStore(
        {"zhiva.settings.backup-1": "earlier", "zhiva.settings.backup-9": "x"}
    )

    first = keep_backup(store, "damaged")
    again = keep_backup(store, "damaged")

    assert first == again == "zhiva.settings.backup-10"
    assert store.items["zhiva.settings.backup-1"] == "earlier"
    assert backup_keys(store) == [
        "zhiva.settings.backup-1",
        "zhiva.settings.backup-9",
        "zhiva.settings.backup-10",
    ]


def test_loading_the_same_damage_twice_makes_one_backup():
    store = MemoryStore({SETTINGS_KEY: "][", "zhiva.settings.backup-1": "older"})

    load_settings(store)
    loaded = load_settings(store)

    assert loaded.notices[0].backup_key == "zhiva.settings.backup-2"
    assert backup_keys(store) == ["zhiva.settings.backup-1", "zhiva.settings.backup-2"]


def test_when_the_backup_does_not_fit_the_damaged_text_stays_in_place():
    text = v2([record(), record(server_id=OTHER_ID, url="nope")])
    store = MemoryStore({SETTINGS_KEY: text}, quota=len(SETTINGS_KEY) + len(text))

    loaded = load_settings(store)

    assert store.items == {SETTINGS_KEY: text}
    assert loaded.notices[0].backup_key is None
    assert loaded.notices[0].message.endswith(
        "They could not be copied to a backup because the browser storage is full; "
        'they stay under "zhiva.settings" until you save settings, which replaces them.'
    )
    assert loaded.needs_saving is False
