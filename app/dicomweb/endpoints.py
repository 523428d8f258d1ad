"""The one input record the client needs: a server's resolved roots and abilities."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .auth import Credentials, Origin, origin_of
from .errors import EndpointError


@dataclass(frozen=True, slots=True)
class ServerEndpoints:
    """Where one DICOMweb server answers and what it can do.

    The settings layer maps its own server model to this record. Roots are absolute
    http(s) URLs without a trailing slash (one is stripped if present), for example
    ``https://pacs.example/dicom-web`` and ``https://pacs.example/wado``. An empty
    ``wado_uri`` means the server has no WADO-URI service.

    ``qido_supports_include_field`` sends named ``includefield`` attributes (PS3.18
    8.3.4); ``supports_fuzzy_matching`` sends ``fuzzymatching=true`` instead of
    appending ``*`` to names (PS3.18 8.3.4). ``repr`` hides the credentials.
    """

    qido_rs: str
    wado_rs: str
    wado_uri: str = ""
    credentials: Credentials | None = None
    qido_supports_include_field: bool = True
    supports_fuzzy_matching: bool = False
    origins: frozenset[Origin] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        origins: set[Origin] = set()
        for name in ("qido_rs", "wado_rs", "wado_uri"):
            root = getattr(self, name).rstrip("/")
            object.__setattr__(self, name, root)
            if name == "wado_uri" and not root:
                continue

            origins.add(_check_root(name, root))

        object.__setattr__(self, "origins", frozenset(origins))


def _check_root(name: str, root: str) -> Origin:
    origin = origin_of(root)
    if origin is None:
        raise EndpointError(
            f"The {name} root {root!r} is not an absolute http(s) URL; "
            "give one such as 'https://pacs.example/dicom-web'."
        )

    parts = urlsplit(root)
    if parts.username is not None or parts.password is not None:
        # fetch refuses URLs with userinfo; credentials belong in the settings.
        raise EndpointError(
            f"The {name} root must not contain a user name or password; "
            "enter them as the server's credentials instead."
        )

    if parts.query or parts.fragment:
        raise EndpointError(
            f"The {name} root {root!r} must not contain '?' or '#'; give only the "
            "scheme, host, port and path."
        )

    return origin
