"""Credentials, their headers, and the own-origin rule; ServerEndpoints checks."""

import pytest

from app.dicomweb.auth import (
    BasicAuth,
    BearerToken,
    Origin,
    authorization_headers,
    origin_of,
)
from app.dicomweb.endpoints import ServerEndpoints
from app.dicomweb.errors import EndpointError


def test_basic_header_is_utf8_base64():
    header = BasicAuth("jürgen", "pässword:with colon").authorization()

    # printf '%s' 'jürgen:pässword:with colon' | base64  (a UTF-8 terminal)
    assert header == "Basic asO8cmdlbjpww6Rzc3dvcmQ6d2l0aCBjb2xvbg=="


def test_basic_header_ascii():
    assert BasicAuth("user", "secret").authorization() == "Basic dXNlcjpzZWNyZXQ="


def test_bearer_header():
    assert BearerToken("abc.def-ghi").authorization() == "Bearer abc.def-ghi"


def test_user_name_with_colon_is_refused():
    with pytest.raises(ValueError, match="cannot contain ':'"):
        BasicAuth("a:b", "c")


@pytest.mark.parametrize("token", ["", "has space", "line\nbreak", "tökén"])
def test_unsendable_tokens_are_refused(token):
    with pytest.raises(ValueError, match="printable ASCII"):
        BearerToken(token)


def test_reprs_hide_secrets():
    basic = BasicAuth("alice", "s3cret")
    bearer = BearerToken("t0ken")

    assert "alice" not in repr(basic) and "s3cret" not in repr(basic)
    assert "t0ken" not in repr(bearer)
    assert "s3cret" not in str(basic)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://PACS.example/rs", Origin("https", "pacs.example", 443)),
        ("http://pacs.example/rs", Origin("http", "pacs.example", 80)),
        ("https://pacs.example:8443/rs", Origin("https", "pacs.example", 8443)),
        ("http://[::1]:8042/rs", Origin("http", "::1", 8042)),
        ("ftp://pacs.example/", None),
        ("/relative/path", None),
        ("https://pacs.example:notaport/", None),
    ],
)
def test_origin_of(url, origin):
    assert origin_of(url) == origin


def endpoints(**kwargs) -> ServerEndpoints:
    defaults = {
        "qido_rs": "https://pacs.example/dicom-web",
        "wado_rs": "https://pacs.example/dicom-web",
        "wado_uri": "https://wado.example:8443/wado",
        "credentials": BasicAuth("user", "secret"),
    }
    return ServerEndpoints(**{**defaults, **kwargs})


def test_credentials_go_to_every_root_origin():
    server = endpoints()

    for url in (
        "https://pacs.example/dicom-web/studies",
        "https://PACS.EXAMPLE:443/other/path",
        "https://wado.example:8443/wado?requestType=WADO",
    ):
        headers = authorization_headers(url, server.credentials, server.origins)
        assert headers == {"Authorization": "Basic dXNlcjpzZWNyZXQ="}


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example/dicom-web/studies/1/series/2",
        "http://pacs.example/dicom-web/studies",
        "https://pacs.example:8443/dicom-web/studies",
        "https://pacs.example.evil.example/dicom-web",
        "https://wado.example/wado",
    ],
)
def test_no_credentials_outside_the_origins(url):
    server = endpoints()

    assert authorization_headers(url, server.credentials, server.origins) == {}


def test_no_credentials_configured():
    server = endpoints(credentials=None)

    assert authorization_headers(server.qido_rs, None, server.origins) == {}


def test_trailing_slash_is_stripped():
    server = endpoints(qido_rs="https://pacs.example/dicom-web/", wado_uri="")

    assert server.qido_rs == "https://pacs.example/dicom-web"
    assert server.origins == frozenset({Origin("https", "pacs.example", 443)})


def test_endpoints_repr_hides_credentials():
    text = repr(endpoints(credentials=BasicAuth("alice", "s3cret")))

    assert "alice" not in text
    assert "s3cret" not in text


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("qido_rs", "pacs.example/rs", "not an absolute http"),
        ("wado_rs", "", "not an absolute http"),
        ("wado_uri", "ftp://pacs.example/wado", "not an absolute http"),
        ("qido_rs", "https://u:pw@pacs.example/rs", "user name or password"),
        ("qido_rs", "https://pacs.example/rs?x=1", "must not contain '\\?' or '#'"),
    ],
)
def test_invalid_roots(field, value, match):
    with pytest.raises(EndpointError, match=match) as caught:
        endpoints(**{field: value})

    assert "pw" not in str(caught.value)
