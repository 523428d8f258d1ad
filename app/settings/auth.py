"""What the DICOMweb client needs to authenticate its requests to a server."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from app.settings.model import AuthType


@dataclass(frozen=True)
class AuthConfig:
    """The kind of authentication with its user name and secret (never in ``repr``)."""

    kind: AuthType = AuthType.NONE
    username: str = field(default="", repr=False)
    secret: str = field(default="", repr=False)

    def authorization_header(self) -> str | None:
        """The value of the ``Authorization`` request header, or ``None`` for none.

        Basic Auth encodes "user:password" as UTF-8 before base64 (RFC 7617, section
        2.1); a bearer token is sent as is (RFC 6750, section 2.1).
        """
        if self.kind is AuthType.BASIC:
            pair = f"{self.username}:{self.secret}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        if self.kind is AuthType.BEARER:
            return "Bearer " + self.secret
        return None
