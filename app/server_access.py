"""From a server in the settings to what the DICOMweb client needs.

The two cores stay independent: ``app.settings`` knows nothing of requests and
``app.dicomweb`` nothing of forms. This is the only place that knows both.
"""

from __future__ import annotations

from app.dicomweb.auth import BasicAuth, BearerToken, Credentials
from app.dicomweb.endpoints import ServerEndpoints
from app.settings.auth import AuthConfig
from app.settings.model import AuthType, ServerConfig
from app.settings.roots import resolve_roots


def credentials_for(auth: AuthConfig) -> Credentials | None:
    """The client's credentials for a server's authentication settings."""
    if auth.kind is AuthType.BASIC:
        return BasicAuth(auth.username, auth.secret)
    if auth.kind is AuthType.BEARER:
        return BearerToken(auth.secret)
    return None


def endpoints_for(server: ServerConfig, auth: AuthConfig) -> ServerEndpoints:
    """The resolved roots, credentials and abilities of ``server``."""
    roots = resolve_roots(server)
    return ServerEndpoints(
        qido_rs=roots.qido_rs,
        wado_rs=roots.wado_rs,
        wado_uri=roots.wado_uri,
        credentials=credentials_for(auth),
        qido_supports_include_field=server.qido_supports_include_field,
        supports_fuzzy_matching=server.supports_fuzzy_matching,
    )
