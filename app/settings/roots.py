"""Where the DICOMweb services of a server live (QIDO-RS, WADO-RS, WADO-URI; PS3.18).

root = Server URL + "/" + Server Postfix; each service root is the root + "/" + its
postfix. An empty postfix adds nothing, so a service can sit at the root itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.settings import model
from app.settings.errors import InvalidSettingError
from app.settings.model import ServerConfig, ServerDraft
from app.settings.validation import normalise_postfix, normalise_url


@dataclass(frozen=True)
class ServerRoots:
    """The base URLs the DICOMweb client builds its requests on."""

    root: str
    qido_rs: str
    wado_rs: str
    wado_uri: str


@dataclass(frozen=True)
class RootsPreview:
    """The roots of a form being typed: ``None`` where a postfix is still invalid."""

    root: str
    qido_rs: str | None
    wado_rs: str | None
    wado_uri: str | None


def join_path(base: str, postfix: str) -> str:
    """``base`` + "/" + ``postfix``, or ``base`` alone when the postfix is empty."""
    return f"{base}/{postfix}" if postfix else base


def resolve_roots(server: ServerConfig) -> ServerRoots:
    """The root and the QIDO-RS, WADO-RS and WADO-URI roots of a valid server."""
    root = join_path(server.url, server.server_postfix)
    return ServerRoots(
        root=root,
        qido_rs=join_path(root, server.qido_postfix),
        wado_rs=join_path(root, server.wado_postfix),
        wado_uri=join_path(root, server.wado_uri_postfix),
    )


def preview_roots(draft: ServerDraft) -> RootsPreview | None:
    """The roots the form would resolve to, for the live preview.

    Only the URL and the postfixes matter; the other fields may still be invalid.
    ``None`` when the URL or the Server Postfix is invalid (there is no root yet).
    """
    try:
        root = join_path(
            normalise_url(draft.url),
            normalise_postfix(model.SERVER_POSTFIX, draft.server_postfix),
        )
    except InvalidSettingError:
        return None

    def service_root(key: str) -> str | None:
        try:
            return join_path(root, normalise_postfix(key, getattr(draft, key)))
        except InvalidSettingError:
            return None

    return RootsPreview(
        root=root,
        qido_rs=service_root(model.QIDO_POSTFIX),
        wado_rs=service_root(model.WADO_POSTFIX),
        wado_uri=service_root(model.WADO_URI_POSTFIX),
    )
