"""Credentials for a DICOMweb server, and the rule for where they may be sent.

Credentials go in the ``Authorization`` header (RFC 7617 Basic, RFC 6750 Bearer) and
only to the origins (scheme, host, port) of the server's own roots. A URL the server
hands out that points elsewhere, such as a RetrieveURL (0008,1190) on another host,
gets no credentials. ``repr`` never shows a secret, so a record can be logged safely.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

AUTHORIZATION = "Authorization"

_DEFAULT_PORTS = {"http": 80, "https": 443}


class Origin(NamedTuple):
    """The origin of a URL (RFC 6454): lower-case scheme and host, explicit port."""

    scheme: str
    host: str
    port: int


@dataclass(frozen=True, slots=True, repr=False)
class BasicAuth:
    """HTTP Basic credentials; the pair is encoded as UTF-8 (RFC 7617 2.1)."""

    username: str
    password: str

    def __post_init__(self) -> None:
        if ":" in self.username:
            raise ValueError(
                "A user name for Basic authentication cannot contain ':' (RFC 7617)."
            )

    def authorization(self) -> str:
        """The value of the Authorization header."""
        pair = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    def __repr__(self) -> str:
        return "BasicAuth(username=<redacted>, password=<redacted>)"


@dataclass(frozen=True, slots=True, repr=False)
class BearerToken:
    """An OAuth 2.0 bearer token (RFC 6750 2.1)."""

    token: str

    def __post_init__(self) -> None:
        # A header value with spaces, line breaks or non-ASCII makes fetch throw a
        # TypeError that would look like a network failure; refuse it here instead.
        if (
            not self.token
            or not self.token.isascii()
            or any(char.isspace() or not char.isprintable() for char in self.token)
        ):
            raise ValueError(
                "A bearer token must be printable ASCII without spaces (RFC 6750)."
            )

    def authorization(self) -> str:
        """The value of the Authorization header."""
        return f"Bearer {self.token}"

    def __repr__(self) -> str:
        return "BearerToken(token=<redacted>)"


Credentials = BasicAuth | BearerToken


def origin_of(url: str) -> Origin | None:
    """Return the origin of an absolute http(s) URL, or None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None

    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None

    return Origin(scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme])


def authorization_headers(
    url: str, credentials: Credentials | None, origins: frozenset[Origin]
) -> dict[str, str]:
    """The Authorization header for ``url``, or nothing when it leaves ``origins``."""
    if credentials is None:
        return {}

    if origin_of(url) not in origins:
        logger.debug("Not sending credentials to a URL outside the server's origins")
        return {}

    return {AUTHORIZATION: credentials.authorization()}
