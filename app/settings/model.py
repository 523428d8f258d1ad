"""Records and names for the DICOMweb servers the viewer can talk to.

A ``ServerConfig`` is a valid, normalised server; a ``ServerDraft`` is what the form
holds while the user types (raw strings, maybe invalid). Field names are the same
everywhere: attribute names here, keys of the error dicts, and keys of the JSON records
in storage, in exports and in ``assets/servers.json``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

NAME_MAX_LENGTH = 64


class AuthType(StrEnum):
    """How requests to the server are authenticated."""

    NONE = "none"
    BASIC = "basic"
    BEARER = "bearer"


class RenderingProtocol(StrEnum):
    """How images and thumbnails are fetched (the OHIF ``imageRendering`` values)."""

    WADORS = "wadors"
    WADO = "wado"
    HTTPS = "https"


AUTH_TYPE_LABELS: dict[AuthType, str] = {
    AuthType.NONE: "None",
    AuthType.BASIC: "Basic Auth",
    AuthType.BEARER: "Bearer Token",
}

# Field keys, used as attribute names, error-dict keys and JSON record keys.
SERVER_ID = "server_id"
NAME = "name"
URL = "url"
SERVER_POSTFIX = "server_postfix"
WADO_URI_POSTFIX = "wado_uri_postfix"
WADO_POSTFIX = "wado_postfix"
QIDO_POSTFIX = "qido_postfix"
QIDO_SUPPORTS_INCLUDE_FIELD = "qido_supports_include_field"
ENABLE_STUDY_LAZY_LOAD = "enable_study_lazy_load"
SUPPORTS_FUZZY_MATCHING = "supports_fuzzy_matching"
IMAGE_RENDERING = "image_rendering"
THUMBNAIL_RENDERING = "thumbnail_rendering"
AUTH_TYPE = "auth_type"
USERNAME = "username"
SECRET = "secret"
REMEMBER_SECRET = "remember_secret"
DERIVED_FROM = "derived_from"

POSTFIX_FIELDS = (SERVER_POSTFIX, WADO_URI_POSTFIX, WADO_POSTFIX, QIDO_POSTFIX)
BOOLEAN_FIELDS = (
    QIDO_SUPPORTS_INCLUDE_FIELD,
    ENABLE_STUDY_LAZY_LOAD,
    SUPPORTS_FUZZY_MATCHING,
    REMEMBER_SECRET,
)
RENDERING_FIELDS = (IMAGE_RENDERING, THUMBNAIL_RENDERING)

FIELD_LABELS: dict[str, str] = {
    SERVER_ID: "Server UUID",
    NAME: "Server Name",
    URL: "Server URL",
    SERVER_POSTFIX: "Server Postfix",
    WADO_URI_POSTFIX: "WADO URI Postfix",
    WADO_POSTFIX: "WADO Postfix",
    QIDO_POSTFIX: "QIDO Postfix",
    QIDO_SUPPORTS_INCLUDE_FIELD: "QIDO Supports Include Field",
    ENABLE_STUDY_LAZY_LOAD: "Enable Study LazyLoad",
    SUPPORTS_FUZZY_MATCHING: "Supports Fuzzy Matching",
    IMAGE_RENDERING: "Image rendering protocol",
    THUMBNAIL_RENDERING: "Thumbnail rendering protocol",
    AUTH_TYPE: "Authentication Type",
    USERNAME: "User name",
    SECRET: "Password or token",
    REMEMBER_SECRET: "Remember on this device",
    DERIVED_FROM: "Copied from",
}


@dataclass(frozen=True)
class ServerConfig:
    """A valid DICOMweb server, as stored. Passwords and tokens are never in it.

    ``derived_from`` is the UUID of the server this one was copied from (an
    organisation preset the user adapted, or a duplicated server), else ``None``.
    """

    server_id: str
    name: str
    url: str
    server_postfix: str = ""
    wado_uri_postfix: str = ""
    wado_postfix: str = ""
    qido_postfix: str = ""
    qido_supports_include_field: bool = False
    enable_study_lazy_load: bool = False
    supports_fuzzy_matching: bool = False
    image_rendering: RenderingProtocol = RenderingProtocol.WADORS
    thumbnail_rendering: RenderingProtocol = RenderingProtocol.WADORS
    auth_type: AuthType = AuthType.NONE
    # Not a secret, but a credential all the same: keep it out of logs.
    username: str = field(default="", repr=False)
    remember_secret: bool = False
    derived_from: str | None = None


@dataclass(frozen=True)
class ServerDraft:
    """The server form as typed: raw strings and booleans, not yet validated.

    ``original_id`` is the UUID of the server being edited (``None`` for a new one);
    saving replaces that server, or makes a user copy when it is a preset. ``secret`` is
    the password (Basic Auth) or token (Bearer Token) and never appears in ``repr``.
    """

    server_id: str = ""
    name: str = ""
    url: str = ""
    server_postfix: str = ""
    wado_uri_postfix: str = ""
    wado_postfix: str = ""
    qido_postfix: str = ""
    qido_supports_include_field: bool = False
    enable_study_lazy_load: bool = False
    supports_fuzzy_matching: bool = False
    image_rendering: str = RenderingProtocol.WADORS.value
    thumbnail_rendering: str = RenderingProtocol.WADORS.value
    auth_type: str = AuthType.NONE.value
    username: str = field(default="", repr=False)
    secret: str = field(default="", repr=False)
    remember_secret: bool = False
    derived_from: str | None = None
    original_id: str | None = None

    @classmethod
    def from_server(cls, server: ServerConfig, secret: str = "") -> ServerDraft:
        """The form filled with ``server``, ready to edit it."""
        return cls(
            server_id=server.server_id,
            name=server.name,
            url=server.url,
            server_postfix=server.server_postfix,
            wado_uri_postfix=server.wado_uri_postfix,
            wado_postfix=server.wado_postfix,
            qido_postfix=server.qido_postfix,
            qido_supports_include_field=server.qido_supports_include_field,
            enable_study_lazy_load=server.enable_study_lazy_load,
            supports_fuzzy_matching=server.supports_fuzzy_matching,
            image_rendering=server.image_rendering.value,
            thumbnail_rendering=server.thumbnail_rendering.value,
            auth_type=server.auth_type.value,
            username=server.username,
            secret=secret,
            remember_secret=server.remember_secret,
            derived_from=server.derived_from,
            original_id=server.server_id,
        )


def new_server_id() -> str:
    """A fresh random server UUID (version 4), in lower case."""
    return str(uuid.uuid4())


_NUMBERED = re.compile(r"^(?P<base>.*) \((?P<number>\d+)\)$")


def unique_name(name: str, taken: Iterable[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``... so that it is not in ``taken``.

    Names are compared ignoring case. A name that already ends in `` (n)`` is counted
    on from its base, so copying "PACS (2)" gives "PACS (3)", not "PACS (2) (2)". The
    base is shortened when needed so the result fits ``NAME_MAX_LENGTH``.
    """
    used = {other.casefold() for other in taken}
    if name.casefold() not in used:
        return name

    numbered = _NUMBERED.match(name)
    base = numbered.group("base") if numbered else name
    number = 2
    while True:
        suffix = f" ({number})"
        candidate = base[: NAME_MAX_LENGTH - len(suffix)].rstrip() + suffix
        if candidate.casefold() not in used:
            return candidate
        number += 1
