"""The rules a server must follow, one checker per field.

The form is validated as the user types: ``validate_draft`` takes the raw values and
returns every field's problem at once, plus the normalised ``ServerConfig`` when there
is none. The same checkers validate the JSON records read from storage, from the
organisation's ``servers.json`` and from imported files.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType
from typing import TypeVar
from urllib.parse import urlsplit

from app.settings import model
from app.settings.errors import InvalidSettingError
from app.settings.model import (
    AUTH_TYPE_LABELS,
    FIELD_LABELS,
    NAME_MAX_LENGTH,
    AuthType,
    RenderingProtocol,
    ServerConfig,
    ServerDraft,
)

_T = TypeVar("_T")

# Version 4 in the third group, RFC 4122 variant (8, 9, a or b) in the fourth.
_UUID_V4 = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
    re.IGNORECASE,
)
_EXAMPLE_UUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
_EXAMPLE_URL = "https://pacs.example.org/dicom-web"
_HTTPS_RULE = (
    "Server URL must start with https:// "
    "(http:// is allowed only for localhost, 127.x.x.x and [::1])."
)
# Hides "user:pass@" when a URL is quoted back in a message.
_USERINFO = re.compile(r"^([^:/?#]*://)[^/?#]*@")


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of validating a form: errors per field, or the normalised server.

    ``secret`` is the normalised password or token (a pasted token loses surrounding
    white space); it is empty when the server needs none.
    """

    errors: Mapping[str, str]
    server: ServerConfig | None
    secret: str = field(default="", repr=False)

    @property
    def is_valid(self) -> bool:
        """True when no field has a problem."""
        return self.server is not None


class _FieldErrors:
    """Collects the first problem of each field while the checks run."""

    def __init__(self) -> None:
        self.by_field: dict[str, str] = {}

    def check(self, key: str, checker: Callable[[], _T]) -> _T | None:
        try:
            return checker()
        except InvalidSettingError as error:
            self.by_field.setdefault(key, error.message)
            return None


def validate_draft(
    draft: ServerDraft,
    others: Iterable[ServerConfig] = (),
    *,
    require_secret: bool = True,
) -> ValidationResult:
    """Check every field of ``draft`` against the rules.

    ``others`` are all known servers except the one being edited: the name and the UUID
    must differ from theirs. ``require_secret`` is False for stored records, which never
    hold the password or token.
    """
    others = tuple(others)
    errors = _FieldErrors()

    server_id = errors.check(
        model.SERVER_ID, lambda: normalise_server_id(draft.server_id)
    )
    if server_id is not None:
        errors.check(model.SERVER_ID, lambda: check_unique_id(server_id, others))
    taken = [other.name for other in others]
    name = errors.check(model.NAME, lambda: normalise_name(draft.name, taken))
    url = errors.check(model.URL, lambda: normalise_url(draft.url))
    postfixes = {
        key: errors.check(key, partial(normalise_postfix, key, getattr(draft, key)))
        for key in model.POSTFIX_FIELDS
    }
    image = errors.check(
        model.IMAGE_RENDERING,
        lambda: parse_rendering(model.IMAGE_RENDERING, draft.image_rendering),
    )
    thumbnail = errors.check(
        model.THUMBNAIL_RENDERING,
        lambda: parse_rendering(model.THUMBNAIL_RENDERING, draft.thumbnail_rendering),
    )
    derived_from = errors.check(
        model.DERIVED_FROM, lambda: normalise_derived_from(draft.derived_from)
    )
    auth_type = errors.check(model.AUTH_TYPE, lambda: parse_auth_type(draft.auth_type))

    username: str | None = ""
    secret: str | None = ""
    if auth_type is AuthType.BASIC:
        username = errors.check(
            model.USERNAME, lambda: normalise_username(draft.username)
        )
        if require_secret:
            secret = errors.check(model.SECRET, lambda: check_password(draft.secret))
    elif auth_type is AuthType.BEARER and require_secret:
        secret = errors.check(model.SECRET, lambda: normalise_token(draft.secret))

    # Past the first test every value is set; the None tests only narrow the types.
    if (
        errors.by_field
        or server_id is None
        or name is None
        or url is None
        or image is None
        or thumbnail is None
        or auth_type is None
        or username is None
        or secret is None
    ):
        return ValidationResult(MappingProxyType(errors.by_field), None)

    server = ServerConfig(
        server_id=server_id,
        name=name,
        url=url,
        server_postfix=postfixes[model.SERVER_POSTFIX] or "",
        wado_uri_postfix=postfixes[model.WADO_URI_POSTFIX] or "",
        wado_postfix=postfixes[model.WADO_POSTFIX] or "",
        qido_postfix=postfixes[model.QIDO_POSTFIX] or "",
        qido_supports_include_field=draft.qido_supports_include_field,
        enable_study_lazy_load=draft.enable_study_lazy_load,
        supports_fuzzy_matching=draft.supports_fuzzy_matching,
        image_rendering=image,
        thumbnail_rendering=thumbnail,
        auth_type=auth_type,
        username=username,
        # Without a password or token there is nothing to remember.
        remember_secret=draft.remember_secret and auth_type is not AuthType.NONE,
        derived_from=derived_from,
    )
    return ValidationResult(MappingProxyType({}), server, secret)


def normalise_server_id(raw: str) -> str:
    """A version 4 UUID in any case, returned in lower case."""
    value = raw.strip()
    if not value:
        raise InvalidSettingError(
            model.SERVER_ID, "Server UUID is required. Generate a new one."
        )
    if not _UUID_V4.match(value):
        raise InvalidSettingError(
            model.SERVER_ID,
            f'Server UUID must be a version 4 UUID such as "{_EXAMPLE_UUID}". '
            f'You entered "{value}".',
        )
    return value.lower()


def check_unique_id(server_id: str, others: Iterable[ServerConfig]) -> None:
    """Raise when one of ``others`` already has the UUID ``server_id``."""
    for other in others:
        if other.server_id == server_id:
            raise InvalidSettingError(
                model.SERVER_ID,
                f'Server UUID "{server_id}" is already used by the server '
                f'"{other.name}". Generate a new one.',
            )


def normalise_derived_from(raw: str | None) -> str | None:
    """The UUID a server was copied from, or ``None``."""
    if raw is None or not raw.strip():
        return None
    if not _UUID_V4.match(raw.strip()):
        raise InvalidSettingError(
            model.DERIVED_FROM,
            f'Copied from must be the version 4 UUID of a server. Found "{raw}".',
        )
    return raw.strip().lower()


def normalise_name(raw: str, taken: Iterable[str] = ()) -> str:
    """The trimmed name; required, at most 64 characters, unique ignoring case."""
    value = raw.strip()
    if not value:
        raise InvalidSettingError(
            model.NAME, 'Server Name is required. Enter a name such as "Hospital PACS".'
        )
    if len(value) > NAME_MAX_LENGTH:
        raise InvalidSettingError(
            model.NAME,
            f"Server Name must be at most {NAME_MAX_LENGTH} characters; "
            f'"{value}" has {len(value)}. Shorten it.',
        )
    if value.casefold() in {other.casefold() for other in taken}:
        raise InvalidSettingError(
            model.NAME,
            f'Server Name "{value}" is already used by another server (names are '
            "compared ignoring case). Choose a different name.",
        )
    return value


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, an address in 127.0.0.0/8, and ``::1``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_url(raw: str) -> str:
    """The server URL: absolute, https (http on loopback), no query, fragment or
    credentials; scheme and host in lower case, trailing slashes dropped."""
    value = raw.strip()
    shown = _USERINFO.sub(r"\1•••@", value)
    entered = f'You entered "{shown}".'

    def invalid(message: str) -> InvalidSettingError:
        return InvalidSettingError(model.URL, f"{message} {entered}")

    if not value:
        raise InvalidSettingError(
            model.URL,
            "Server URL is required. Enter the address of the DICOMweb service, "
            f'for example "{_EXAMPLE_URL}".',
        )
    if any(char.isspace() for char in value):
        raise invalid("Server URL must not contain spaces.")
    if "://" not in value:
        raise invalid(
            "Server URL must be an absolute URL that starts with https://, "
            f'for example "{_EXAMPLE_URL}".'
        )
    try:
        parts = urlsplit(value)
    except ValueError as error:
        raise invalid(f"Server URL could not be read as a URL ({error}).") from None
    if parts.scheme not in ("https", "http"):
        raise invalid(_HTTPS_RULE)
    if "@" in parts.netloc:
        raise invalid(
            'Server URL must not contain a user name or password ("user:pass@"). '
            "Remove it and choose Basic Auth under Authentication Type instead."
        )
    host = parts.hostname
    if not host:
        raise invalid(
            'Server URL must name a host after the "://", '
            'for example "https://pacs.example.org".'
        )
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise invalid("Server URL has an invalid port; use a number from 1 to 65535.")
    if "?" in value:
        raise invalid(
            f'Server URL must not contain a query ("?{parts.query}"). Remove it; '
            "the viewer adds its own query parameters."
        )
    if "#" in value:
        raise invalid(
            f'Server URL must not contain a fragment ("#{parts.fragment}"). Remove it.'
        )
    if parts.scheme == "http" and not is_loopback_host(host):
        raise invalid(_HTTPS_RULE)

    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def normalise_postfix(key: str, raw: str) -> str:
    """An optional path below the URL, such as ``rs`` or ``dicom-web/rs``.

    No leading or trailing slash, no empty segment, and no ``?``, ``#``, ``..`` or
    white space. Surrounding white space is trimmed.
    """
    label = FIELD_LABELS[key]
    value = raw.strip()
    entered = f'You entered "{value}".'
    if not value:
        return ""
    if any(char.isspace() for char in value):
        raise InvalidSettingError(key, f"{label} must not contain spaces. {entered}")
    if value.startswith("/") or value.endswith("/"):
        end = "start" if value.startswith("/") else "end"
        suggestion = value.strip("/")
        raise InvalidSettingError(
            key,
            f'{label} must not {end} with "/". Enter "{suggestion}" '
            f'instead of "{value}".',
        )
    for forbidden in ("?", "#", ".."):
        if forbidden in value:
            raise InvalidSettingError(
                key,
                f'{label} must not contain "{forbidden}"; it is a path below the '
                f'Server URL, such as "rs". {entered}',
            )
    if "//" in value:
        raise InvalidSettingError(
            key, f'{label} must not contain an empty segment ("//"). {entered}'
        )
    return value


def parse_auth_type(raw: str) -> AuthType:
    """``none``, ``basic`` or ``bearer``."""
    try:
        return AuthType(raw)
    except ValueError:
        choices = ", ".join(AUTH_TYPE_LABELS.values())
        raise InvalidSettingError(
            model.AUTH_TYPE,
            f'Authentication Type "{raw}" is not supported. Choose one of: {choices}.',
        ) from None


def parse_rendering(key: str, raw: str) -> RenderingProtocol:
    """``wadors``, ``wado`` or ``https``."""
    try:
        return RenderingProtocol(raw)
    except ValueError:
        choices = ", ".join(protocol.value for protocol in RenderingProtocol)
        raise InvalidSettingError(
            key,
            f'{FIELD_LABELS[key]} "{raw}" is not supported. Choose one of: {choices}.',
        ) from None


def _has_control_character(value: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in value)


def normalise_username(raw: str) -> str:
    """The Basic Auth user name: required, trimmed, no ``:`` (RFC 7617, section 2)."""
    value = raw.strip()
    if not value:
        raise InvalidSettingError(
            model.USERNAME,
            "User name is required for Basic Auth. Enter the user name, "
            "or choose another Authentication Type.",
        )
    if ":" in value:
        raise InvalidSettingError(
            model.USERNAME,
            'User name must not contain ":" because Basic Auth puts it between the '
            f'user name and the password. You entered "{value}".',
        )
    if _has_control_character(value):
        raise InvalidSettingError(
            model.USERNAME,
            "User name must not contain line breaks or other control characters.",
        )
    return value


def check_password(raw: str) -> str:
    """The Basic Auth password, kept exactly as typed (spaces are allowed)."""
    if not raw:
        raise InvalidSettingError(
            model.SECRET, "Password is required for Basic Auth. Enter the password."
        )
    if _has_control_character(raw):
        raise InvalidSettingError(
            model.SECRET,
            "Password must not contain line breaks or other control characters.",
        )
    return raw


def normalise_token(raw: str) -> str:
    """The bearer token, without the white space a paste often brings along."""
    value = raw.strip()
    if not value:
        raise InvalidSettingError(
            model.SECRET, "Token is required for Bearer Token. Paste the token."
        )
    if value.lower().startswith("bearer "):
        raise InvalidSettingError(
            model.SECRET,
            'Token must not start with "Bearer "; paste only the token that follows it.',
        )
    if any(char.isspace() for char in value) or _has_control_character(value):
        raise InvalidSettingError(
            model.SECRET,
            "Token must not contain spaces or line breaks. Paste it again without them.",
        )
    return value
