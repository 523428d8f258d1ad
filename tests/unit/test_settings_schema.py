"""The JSON record of a server: written, read back, and refused when damaged."""

from __future__ import annotations

from app.settings.model import AuthType, RenderingProtocol, ServerConfig
from app.settings.schema import (
    describe_entry,
    parse_server_record,
    server_to_record,
)

SERVER = ServerConfig(
    server_id="0f8fad5b-d9cb-469f-a165-70867728950e",
    name="PACS",
    url="https://pacs.example.org",
    server_postfix="dcm4chee-arc",
    wado_uri_postfix="wado",
    wado_postfix="rs",
    qido_postfix="rs",
    qido_supports_include_field=True,
    enable_study_lazy_load=True,
    supports_fuzzy_matching=False,
    image_rendering=RenderingProtocol.WADORS,
    thumbnail_rendering=RenderingProtocol.WADO,
    auth_type=AuthType.BEARER,
    remember_secret=True,
    derived_from="7c9e6679-7425-40de-944b-e07fc1f90ae7",
)


def test_record_has_the_snake_case_keys():
    assert server_to_record(SERVER) == {
        "server_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "name": "PACS",
        "url": "https://pacs.example.org",
        "server_postfix": "dcm4chee-arc",
        "wado_uri_postfix": "wado",
        "wado_postfix": "rs",
        "qido_postfix": "rs",
        "qido_supports_include_field": True,
        "enable_study_lazy_load": True,
        "supports_fuzzy_matching": False,
        "image_rendering": "wadors",
        "thumbnail_rendering": "wado",
        "auth_type": "bearer",
        "username": "",
        "remember_secret": True,
        "derived_from": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    }


def test_record_reads_back_to_the_same_server():
    assert parse_server_record(server_to_record(SERVER)).server == SERVER


def test_missing_optional_keys_take_the_defaults_and_unknown_keys_are_ignored():
    record = {
        "server_id": SERVER.server_id,
        "name": "PACS",
        "url": "https://pacs.example.org",
        "future_key": 1,
    }

    assert parse_server_record(record).server == ServerConfig(
        server_id=SERVER.server_id, name="PACS", url="https://pacs.example.org"
    )


def test_wrong_json_types_are_reported_per_field():
    record = {
        **server_to_record(SERVER),
        "name": 42,
        "enable_study_lazy_load": "yes",
        "derived_from": 7,
    }

    result = parse_server_record(record)

    assert result.server is None
    assert dict(result.errors) == {
        "name": "Server Name must be text; found 42.",
        "enable_study_lazy_load": (
            'Enable Study LazyLoad must be true or false; found "yes".'
        ),
        "derived_from": "Copied from must be a server UUID or null; found 7.",
    }


def test_an_entry_that_is_not_an_object():
    assert dict(parse_server_record(["PACS"]).errors) == {
        "record": 'Each server must be a JSON object; found ["PACS"].'
    }


def test_describe_entry():
    assert describe_entry(0, {"name": " PACS "}) == 'entry 1 ("PACS")'
    assert describe_entry(2, "text") == "entry 3"
