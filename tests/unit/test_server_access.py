from app.dicomweb.auth import BasicAuth, BearerToken
from app.server_access import credentials_for, endpoints_for
from app.settings.auth import AuthConfig
from app.settings.model import AuthType, ServerConfig

LOCAL = ServerConfig(
    server_id="6f1c2a9e-3b7d-4e58-9a41-0c2d8e7f5b63",
    name="Local Server",
    url="https://localhost/zhiva/pacs",
    wado_uri_postfix="wado",
    wado_postfix="rs",
    qido_postfix="rs",
    qido_supports_include_field=True,
    supports_fuzzy_matching=True,
)


def test_roots_and_abilities_of_the_local_preset() -> None:
    endpoints = endpoints_for(LOCAL, AuthConfig())
    assert endpoints.qido_rs == "https://localhost/zhiva/pacs/rs"
    assert endpoints.wado_rs == "https://localhost/zhiva/pacs/rs"
    assert endpoints.wado_uri == "https://localhost/zhiva/pacs/wado"
    assert endpoints.credentials is None
    assert endpoints.qido_supports_include_field and endpoints.supports_fuzzy_matching


def test_credentials_follow_the_authentication_type() -> None:
    basic = endpoints_for(LOCAL, AuthConfig(AuthType.BASIC, "ann", "pw"))
    assert basic.credentials == BasicAuth("ann", "pw")
    bearer = endpoints_for(LOCAL, AuthConfig(AuthType.BEARER, "", "tok"))
    assert bearer.credentials == BearerToken("tok")
    # UTF-8 "ann:pw" in base64 (RFC 7617 2.1).
    assert basic.credentials.authorization() == "Basic YW5uOnB3"


def test_headers_of_each_authentication_type() -> None:
    assert credentials_for(AuthConfig()) is None
    basic = credentials_for(AuthConfig(AuthType.BASIC, "viewer", "pässword"))
    assert (
        basic is not None and basic.authorization() == "Basic dmlld2VyOnDDpHNzd29yZA=="
    )
    bearer = credentials_for(AuthConfig(AuthType.BEARER, secret="abc.def"))
    assert bearer is not None and bearer.authorization() == "Bearer abc.def"
