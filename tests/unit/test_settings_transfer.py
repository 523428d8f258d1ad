"""Export and import of server lists, and the organisation's servers.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.settings.errors import SettingsImportError
from app.settings.model import AuthType, ServerConfig
from app.settings.notices import Notice, NoticeCode, NoticeLevel
from app.settings.roots import ServerRoots, resolve_roots
from app.settings.transfer import (
    export_servers,
    import_servers,
    load_organisation_servers,
)

ORGANISATION_FILE = Path(__file__).resolve().parents[2] / "assets" / "servers.json"
LOCAL_SERVER_ID = "6f1c2a9e-3b7d-4e58-9a41-0c2d8e7f5b63"
SAMPLE_SERVER_ID = "65bc1aa4-ee81-415e-9237-8c8d78eb921b"

SERVER = ServerConfig(
    server_id="0f8fad5b-d9cb-469f-a165-70867728950e",
    name="PACS",
    url="https://pacs.example.org",
    qido_postfix="rs",
    auth_type=AuthType.BASIC,
    username="viewer",
    remember_secret=True,
)
OTHER = ServerConfig(
    server_id="7c9e6679-7425-40de-944b-e07fc1f90ae7",
    name="Open",
    url="http://localhost:8042/dicom-web",
)


def server_list(servers, version=1):
    return json.dumps(
        {"format": "zhiva-servers", "version": version, "servers": servers}
    )


# Export and import ----------------------------------------------------------------


def test_export_names_its_format_and_version():
    document = json.loads(export_servers([SERVER]))

    assert document["format"] == "zhiva-servers"
    assert document["version"] == 1
    assert document["servers"][0]["name"] == "PACS"
    assert "secret" not in document["servers"][0]
    assert "password" not in export_servers([SERVER])


def test_round_trip_keeps_everything_but_remember():
    result = import_servers(
        export_servers([SERVER, OTHER]), source="servers.json", existing=[]
    )

    assert result.servers == (
        ServerConfig(
            server_id=SERVER.server_id,
            name="PACS",
            url="https://pacs.example.org",
            qido_postfix="rs",
            auth_type=AuthType.BASIC,
            username="viewer",
            remember_secret=False,
        ),
        OTHER,
    )
    assert result.notices == ()


def test_importing_what_is_already_there_renames_and_gives_new_uuids():
    result = import_servers(
        export_servers([SERVER]), source="a.json", existing=[SERVER]
    )

    (server,) = result.servers
    assert server.name == "PACS (2)"
    assert server.server_id != SERVER.server_id
    assert result.notices == (
        Notice(
            NoticeCode.IMPORT_RENAMED,
            'The imported server "PACS" was named "PACS (2)" because another server '
            "already has that name.",
            level=NoticeLevel.INFO,
        ),
        Notice(
            NoticeCode.IMPORT_NEW_ID,
            'The imported server "PACS (2)" got a new UUID because its UUID is already '
            "used by another server.",
            level=NoticeLevel.INFO,
        ),
    )


def test_names_clashing_inside_one_file_are_numbered():
    twin = ServerConfig(server_id=OTHER.server_id, name="pacs", url="https://b.org")

    result = import_servers(
        export_servers([SERVER, twin]), source="a.json", existing=[]
    )

    assert [server.name for server in result.servers] == ["PACS", "pacs (2)"]


def test_one_invalid_entry_refuses_the_whole_file():
    text = server_list(
        [
            {"server_id": SERVER.server_id, "name": "PACS", "url": "https://a.org"},
            {"server_id": OTHER.server_id, "name": "Bad", "url": "http://b.org"},
        ]
    )

    with pytest.raises(SettingsImportError) as caught:
        import_servers(text, source="team.json", existing=[])

    assert str(caught.value) == (
        'Cannot import "team.json", entry 2 ("Bad"): Server URL must start with '
        "https:// (http:// is allowed only for localhost, 127.x.x.x and [::1]). "
        'You entered "http://b.org".'
    )
    assert caught.value.entry == 'entry 2 ("Bad")'


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "{",
            "it is not valid JSON (Expecting property name enclosed in double quotes "
            "at line 1, column 2).",
        ),
        (
            "window.config = {dataSources: []}",
            "it is not valid JSON (Expecting value at "
            "line 1, column 1). OHIF's app-config.js is JavaScript; copy its "
            '"dataSources" part into a .json file and import that.',
        ),
        (
            "[1, 2]",
            'it is neither a server list (with "format": "zhiva-servers") nor an '
            'OHIF DICOMweb data source (with "qidoRoot" and "wadoRoot").',
        ),
        (
            server_list([], version=2),
            "it is a server list of version 2; this viewer "
            "reads version 1. Export it again from the same viewer version, or update "
            "this one.",
        ),
        (
            '{"format": "zhiva-servers", "version": 1, "servers": {}}',
            '"servers" must be a list of servers.',
        ),
    ],
)
def test_files_that_cannot_be_imported_say_why(text, problem):
    with pytest.raises(SettingsImportError) as caught:
        import_servers(text, source="f.json", existing=[])

    assert str(caught.value) == f'Cannot import "f.json": {problem}'


# The organisation's list ----------------------------------------------------------


def test_shipped_organisation_list_has_the_sample_and_local_server_presets():
    presets, notices = load_organisation_servers(ORGANISATION_FILE.read_text("utf-8"))

    assert notices == ()
    assert presets == (
        ServerConfig(
            server_id=SAMPLE_SERVER_ID,
            name="Sample Server",
            url="http://127.0.0.1:8000/sample",
            wado_uri_postfix="wado",
            wado_postfix="rs",
            qido_postfix="rs",
            enable_study_lazy_load=True,
        ),
        ServerConfig(
            server_id=LOCAL_SERVER_ID,
            name="Local Server",
            url="https://localhost/zhiva/pacs",
            wado_uri_postfix="wado",
            wado_postfix="rs",
            qido_postfix="rs",
            qido_supports_include_field=True,
            enable_study_lazy_load=True,
            supports_fuzzy_matching=True,
        ),
    )
    assert resolve_roots(presets[0]) == ServerRoots(
        root="http://127.0.0.1:8000/sample",
        qido_rs="http://127.0.0.1:8000/sample/rs",
        wado_rs="http://127.0.0.1:8000/sample/rs",
        wado_uri="http://127.0.0.1:8000/sample/wado",
    )
    assert resolve_roots(presets[1]) == ServerRoots(
        root="https://localhost/zhiva/pacs",
        qido_rs="https://localhost/zhiva/pacs/rs",
        wado_rs="https://localhost/zhiva/pacs/rs",
        wado_uri="https://localhost/zhiva/pacs/wado",
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, "could not be read"),
        ("<html>", "is not valid JSON (Expecting value at line 1, column 1)"),
        ("[]", 'is not a server list (with "format": "zhiva-servers")'),
        (
            server_list([], version=7),
            "cannot be used: it is a server list of version 7; "
            "this viewer reads version 1. Export it again from the same viewer version, "
            "or update this one",
        ),
    ],
)
def test_a_broken_organisation_list_gives_a_notice(text, reason):
    presets, notices = load_organisation_servers(text, "assets/servers.json")

    assert presets == ()
    assert notices == (
        Notice(
            NoticeCode.ORGANISATION_LIST_UNAVAILABLE,
            f'The organisation\'s server list "assets/servers.json" {reason}, so its '
            "servers are not available. Tell whoever runs this viewer.",
        ),
    )


def test_a_broken_organisation_entry_is_skipped_with_a_notice():
    text = server_list(
        [
            {"server_id": LOCAL_SERVER_ID, "name": "Local", "url": "https://localhost"},
            {"server_id": LOCAL_SERVER_ID, "name": "Copy", "url": "https://localhost"},
        ]
    )

    presets, notices = load_organisation_servers(text, "assets/servers.json")

    assert [preset.name for preset in presets] == ["Local"]
    assert notices == (
        Notice(
            NoticeCode.ORGANISATION_ENTRY_INVALID,
            'The organisation\'s server list "assets/servers.json" has a problem in '
            'entry 2 ("Copy"), so that server is not available: Server UUID '
            f'"{LOCAL_SERVER_ID}" is already used by the server "Local". Generate a new '
            "one.",
        ),
    )
