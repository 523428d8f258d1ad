"""What the DICOMweb client needs to authenticate its requests to a server.

The header itself is built in one place, by the client's credentials
(``app.dicomweb.auth``), from this record (``app.server_access``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.settings.model import AuthType


@dataclass(frozen=True)
class AuthConfig:
    """The kind of authentication with its user name and secret (never in ``repr``)."""

    kind: AuthType = AuthType.NONE
    username: str = field(default="", repr=False)
    secret: str = field(default="", repr=False)
