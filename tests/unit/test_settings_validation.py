"""Every rule of the server form, valid and invalid."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.settings.errors import InvalidSettingError
from app.settings.model import AuthType, RenderingProtocol, ServerConfig, ServerDraft
from app.settings.validation import (
    check_password,
    is_loopback_host,
    normalise_name,
    normalise_postfix,
    normalise_server_id,
    normalise_token,
    normalise_url,
    normalise_username,
    parse_auth_type,
    parse_rendering,
    validate_draft,
)

SERVER_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
OTHER_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

GOOD = ServerDraft(
    server_id=SERVER_ID,
    name="  Hospital PACS ",
    url="https://pacs.example.org/dicom-web/",
    qido_postfix="rs",
    wado_postfix="rs",
    wado_uri_postfix="wado",
)


def message(checker, *args):
    with pytest.raises(InvalidSettingError) as caught:
        checker(*args)
    return caught.value.message


# The whole form -------------------------------------------------------------------


def test_valid_draft_gives_a_normalised_server_and_no_errors():
    result = validate_draft(GOOD)

    assert dict(result.errors) == {}
    assert result.is_valid is True
    assert result.server == ServerConfig(
        server_id=SERVER_ID,
        name="Hospital PACS",
        url="https://pacs.example.org/dicom-web",
        qido_postfix="rs",
        wado_postfix="rs",
        wado_uri_postfix="wado",
    )
    assert result.secret == ""


def test_empty_draft_reports_each_required_field():
    result = validate_draft(ServerDraft())

    assert result.server is None
    assert result.is_valid is False
    assert sorted(result.errors) == ["name", "server_id", "url"]
    assert result.errors["name"] == (
        'Server Name is required. Enter a name such as "Hospital PACS".'
    )


def test_every_invalid_field_is_reported_at_once():
    draft = replace(
        GOOD,
        url="http://pacs.example.org",
        qido_postfix="/rs",
        image_rendering="png",
        auth_type="digest",
    )

    errors = validate_draft(draft).errors

    assert sorted(errors) == ["auth_type", "image_rendering", "qido_postfix", "url"]


def test_name_and_uuid_must_differ_from_the_other_servers():
    other = ServerConfig(server_id=SERVER_ID, name="hospital pacs", url="https://a.org")

    errors = validate_draft(GOOD, [other]).errors

    assert errors["name"] == (
        'Server Name "Hospital PACS" is already used by another server (names are '
        "compared ignoring case). Choose a different name."
    )
    assert errors["server_id"] == (
        f'Server UUID "{SERVER_ID}" is already used by the server "hospital pacs". '
        "Generate a new one."
    )


def test_booleans_and_renderings_are_carried_over():
    draft = replace(
        GOOD,
        qido_supports_include_field=True,
        enable_study_lazy_load=True,
        supports_fuzzy_matching=True,
        image_rendering="wado",
        thumbnail_rendering="https",
    )

    server = validate_draft(draft).server

    assert server is not None
    assert server.qido_supports_include_field is True
    assert server.enable_study_lazy_load is True
    assert server.supports_fuzzy_matching is True
    assert server.image_rendering is RenderingProtocol.WADO
    assert server.thumbnail_rendering is RenderingProtocol.HTTPS


def test_basic_auth_needs_user_name_and_password():
    errors = validate_draft(replace(GOOD, auth_type="basic")).errors

    assert errors == {
        "username": "User name is required for Basic Auth. Enter the user name, "
        "or choose another Authentication Type.",
        "secret": "Password is required for Basic Auth. Enter the password.",
    }


def test_basic_auth_keeps_user_name_and_returns_password_apart():
    draft = replace(
        GOOD,
        auth_type="basic",
        username=" viewer ",
        secret=" pass word ",
        remember_secret=True,
    )

    result = validate_draft(draft)

    assert result.server is not None
    assert result.server.auth_type is AuthType.BASIC
    assert result.server.username == "viewer"
    assert result.server.remember_secret is True
    assert result.secret == " pass word "


def test_bearer_token_is_trimmed_and_user_name_dropped():
    draft = replace(GOOD, auth_type="bearer", username="ignored", secret=" abc.def \n")

    result = validate_draft(draft)

    assert result.server is not None
    assert result.server.username == ""
    assert result.secret == "abc.def"


def test_records_are_valid_without_a_secret():
    draft = replace(GOOD, auth_type="bearer")

    assert validate_draft(draft, require_secret=False).is_valid is True
    assert list(validate_draft(draft).errors) == ["secret"]


def test_without_authentication_there_is_nothing_to_remember():
    draft = replace(GOOD, username="someone", secret="x", remember_secret=True)

    server = validate_draft(draft).server

    assert server is not None
    assert server.username == ""
    assert server.remember_secret is False


def test_derived_from_must_be_a_uuid():
    assert validate_draft(replace(GOOD, derived_from="nope")).errors == {
        "derived_from": "Copied from must be the version 4 UUID of a server. "
        'Found "nope".'
    }
    server = validate_draft(replace(GOOD, derived_from=OTHER_ID.upper())).server
    assert server is not None and server.derived_from == OTHER_ID


def test_validation_result_repr_hides_the_secret():
    result = validate_draft(replace(GOOD, auth_type="bearer", secret="tok-SECRET-123"))

    assert "tok-SECRET-123" not in repr(result)


# Server Name --------------------------------------------------------------------


def test_name_is_trimmed():
    assert normalise_name("  PACS  ") == "PACS"


def test_name_of_64_characters_is_allowed_65_is_not():
    assert normalise_name("x" * 64) == "x" * 64
    assert message(normalise_name, "x" * 65) == (
        f'Server Name must be at most 64 characters; "{"x" * 65}" has 65. Shorten it.'
    )


def test_name_uniqueness_ignores_case():
    with pytest.raises(InvalidSettingError) as caught:
        normalise_name("pacs", ["PACS"])
    assert caught.value.field == "name"
    assert normalise_name("PACS 2", ["PACS"]) == "PACS 2"


def test_blank_name_is_required():
    assert message(normalise_name, "   ") == (
        'Server Name is required. Enter a name such as "Hospital PACS".'
    )


# Server URL ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://pacs.example.org", "https://pacs.example.org"),
        ("https://pacs.example.org/dicom-web/", "https://pacs.example.org/dicom-web"),
        ("https://pacs.example.org//", "https://pacs.example.org"),
        (
            "  HTTPS://PACS.Example.org:8443/Dicom-Web ",
            "https://pacs.example.org:8443/Dicom-Web",
        ),
        ("http://localhost:8042/dicom-web", "http://localhost:8042/dicom-web"),
        ("http://127.0.0.1/dicom-web", "http://127.0.0.1/dicom-web"),
        ("http://127.255.10.3", "http://127.255.10.3"),
        ("http://[::1]:8042/", "http://[::1]:8042"),
        ("https://192.168.1.20/zhiva/pacs", "https://192.168.1.20/zhiva/pacs"),
    ],
)
def test_valid_urls_are_normalised(raw, expected):
    assert normalise_url(raw) == expected


def test_http_is_refused_for_a_remote_host_with_the_documented_message():
    assert message(normalise_url, "http://pacs.example.org") == (
        "Server URL must start with https:// (http:// is allowed only for localhost, "
        '127.x.x.x and [::1]). You entered "http://pacs.example.org".'
    )


@pytest.mark.parametrize(
    "raw",
    [
        "http://192.168.1.20",
        "http://128.0.0.1",
        "http://localhost.example.org",
        "ftp://a.org",
    ],
)
def test_http_and_other_schemes_are_refused_outside_loopback(raw):
    assert message(normalise_url, raw).startswith("Server URL must start with https://")


def test_url_is_required():
    assert message(normalise_url, " ") == (
        "Server URL is required. Enter the address of the DICOMweb service, for "
        'example "https://pacs.example.org/dicom-web".'
    )


def test_url_must_be_absolute():
    assert message(normalise_url, "pacs.example.org/dicom-web") == (
        "Server URL must be an absolute URL that starts with https://, for example "
        '"https://pacs.example.org/dicom-web". You entered "pacs.example.org/dicom-web".'
    )


def test_url_must_not_contain_spaces():
    assert message(normalise_url, "https://pacs example.org") == (
        'Server URL must not contain spaces. You entered "https://pacs example.org".'
    )


def test_url_must_not_contain_credentials_and_does_not_echo_them():
    text = message(normalise_url, "https://viewer:s3cret@pacs.example.org")

    assert text == (
        'Server URL must not contain a user name or password ("user:pass@"). Remove '
        "it and choose Basic Auth under Authentication Type instead. "
        'You entered "https://•••@pacs.example.org".'
    )
    assert "s3cret" not in text


def test_url_must_not_contain_a_query():
    assert message(normalise_url, "https://pacs.example.org/rs?token=1") == (
        'Server URL must not contain a query ("?token=1"). Remove it; the viewer adds '
        'its own query parameters. You entered "https://pacs.example.org/rs?token=1".'
    )
    assert "query" in message(normalise_url, "https://pacs.example.org/?")


def test_url_must_not_contain_a_fragment():
    assert message(normalise_url, "https://pacs.example.org/#top") == (
        'Server URL must not contain a fragment ("#top"). Remove it. '
        'You entered "https://pacs.example.org/#top".'
    )


def test_url_must_name_a_host():
    assert message(normalise_url, "https:///dicom-web") == (
        'Server URL must name a host after the "://", for example '
        '"https://pacs.example.org". You entered "https:///dicom-web".'
    )


@pytest.mark.parametrize(
    "raw", ["https://a.org:0", "https://a.org:99999", "https://a.org:x"]
)
def test_url_port_must_be_a_number_from_1_to_65535(raw):
    assert message(normalise_url, raw) == (
        "Server URL has an invalid port; use a number from 1 to 65535. "
        f'You entered "{raw}".'
    )


def test_url_that_cannot_be_parsed_says_why():
    assert message(normalise_url, "https://[::1/rs") == (
        "Server URL could not be read as a URL (Invalid IPv6 URL). "
        'You entered "https://[::1/rs".'
    )


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("128.0.0.1", False),
        ("10.0.0.1", False),
        ("localhost.example.org", False),
        ("::2", False),
    ],
)
def test_loopback_hosts(host, loopback):
    assert is_loopback_host(host) is loopback


# Server UUID --------------------------------------------------------------------


def test_uuid_v4_in_any_case_is_lowered():
    assert normalise_server_id(SERVER_ID.upper()) == SERVER_ID
    assert normalise_server_id(f" {SERVER_ID} ") == SERVER_ID


@pytest.mark.parametrize(
    "raw",
    [
        "abc",
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8",  # version 1
        "0f8fad5b-d9cb-469f-c165-70867728950e",  # wrong variant
        "0f8fad5bd9cb469fa16570867728950e",  # no hyphens
        "{0f8fad5b-d9cb-469f-a165-70867728950e}",
    ],
)
def test_anything_but_a_uuid_v4_is_refused(raw):
    assert message(normalise_server_id, raw) == (
        "Server UUID must be a version 4 UUID such as "
        f'"0f8fad5b-d9cb-469f-a165-70867728950e". You entered "{raw}".'
    )


def test_uuid_is_required():
    assert message(normalise_server_id, "") == (
        "Server UUID is required. Generate a new one."
    )


# Postfixes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("  ", ""),
        ("rs", "rs"),
        (" dicom-web/rs ", "dicom-web/rs"),
        ("a.b", "a.b"),
    ],
)
def test_valid_postfixes(raw, expected):
    assert normalise_postfix("qido_postfix", raw) == expected


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        (
            "qido_postfix",
            "/rs",
            'QIDO Postfix must not start with "/". Enter "rs" instead of "/rs".',
        ),
        (
            "wado_postfix",
            "rs/",
            'WADO Postfix must not end with "/". Enter "rs" instead of "rs/".',
        ),
        (
            "server_postfix",
            "a b",
            'Server Postfix must not contain spaces. You entered "a b".',
        ),
        (
            "wado_uri_postfix",
            "wado?x=1",
            'WADO URI Postfix must not contain "?"; it is a path below the Server URL, '
            'such as "rs". You entered "wado?x=1".',
        ),
        (
            "qido_postfix",
            "rs#x",
            'QIDO Postfix must not contain "#"; it is a path below the Server URL, '
            'such as "rs". You entered "rs#x".',
        ),
        (
            "qido_postfix",
            "../rs",
            'QIDO Postfix must not contain ".."; it is a path below the Server URL, '
            'such as "rs". You entered "../rs".',
        ),
        (
            "qido_postfix",
            "a//b",
            'QIDO Postfix must not contain an empty segment ("//"). You entered "a//b".',
        ),
    ],
)
def test_invalid_postfixes(key, raw, expected):
    with pytest.raises(InvalidSettingError) as caught:
        normalise_postfix(key, raw)
    assert caught.value.field == key
    assert caught.value.message == expected


# Authentication -----------------------------------------------------------------


@pytest.mark.parametrize("raw", ["none", "basic", "bearer"])
def test_auth_types(raw):
    assert parse_auth_type(raw).value == raw


def test_unknown_auth_type():
    assert message(parse_auth_type, "Basic Auth") == (
        'Authentication Type "Basic Auth" is not supported. '
        "Choose one of: None, Basic Auth, Bearer Token."
    )


def test_user_name_must_not_contain_a_colon():
    assert message(normalise_username, "a:b") == (
        'User name must not contain ":" because Basic Auth puts it between the user '
        'name and the password. You entered "a:b".'
    )


def test_user_name_must_not_contain_control_characters():
    assert message(normalise_username, "a\nb") == (
        "User name must not contain line breaks or other control characters."
    )


def test_password_is_kept_as_typed_but_without_control_characters():
    assert check_password(" p:ä ss ") == " p:ä ss "
    assert message(check_password, "line\nbreak") == (
        "Password must not contain line breaks or other control characters."
    )


def test_token_rules():
    assert normalise_token("  eyJ.abc-_~+/=  ") == "eyJ.abc-_~+/="
    assert message(normalise_token, "") == (
        "Token is required for Bearer Token. Paste the token."
    )
    assert message(normalise_token, "Bearer abc") == (
        'Token must not start with "Bearer "; paste only the token that follows it.'
    )
    assert message(normalise_token, "ab c") == (
        "Token must not contain spaces or line breaks. Paste it again without them."
    )


# Rendering ----------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["wadors", "wado", "https"])
def test_rendering_protocols(raw):
    assert parse_rendering("image_rendering", raw).value == raw


def test_unknown_rendering_protocol():
    assert message(parse_rendering, "thumbnail_rendering", "wadouri") == (
        'Thumbnail rendering protocol "wadouri" is not supported. '
        "Choose one of: wadors, wado, https."
    )
