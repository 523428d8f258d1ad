"""The seam between the pure client and the network: one async method, two records.

The browser layer implements :class:`Transport` with ``fetch`` and an
``AbortController``; tests use :class:`app.dicomweb.testing.FakeTransport`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from .auth import AUTHORIZATION
from .urls import describe_url


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request the client wants sent.

    ``url`` is absolute and ready for ``fetch`` as it is: do not re-encode it.
    ``headers`` holds exactly what to send (``Accept`` and, for the server's own
    origin, ``Authorization``); add nothing that is not CORS-safelisted, or the
    browser sends a preflight for it. ``timeout`` is in seconds for the whole
    exchange, body included. The ``repr`` masks the Authorization value and query.
    """

    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    method: str = "GET"

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", MappingProxyType(dict(self.headers)))

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any case), or None."""
        return _lookup(self.headers, name)

    def __repr__(self) -> str:
        shown = {
            key: "<redacted>" if key.lower() == AUTHORIZATION.lower() else value
            for key, value in self.headers.items()
        }
        return (
            f"Request(method={self.method!r}, url={describe_url(self.url)!r}, "
            f"headers={shown!r}, timeout={self.timeout!r})"
        )


@dataclass(frozen=True, slots=True)
class Response:
    """One HTTP answer, whatever its status.

    ``headers`` may use any case; :meth:`header` looks names up without case. ``url``
    is the final URL after redirects, or the request's URL. ``body`` is the whole
    body, read to the end.
    """

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    url: str = ""

    def __post_init__(self) -> None:
        lowered = {key.lower(): value for key, value in self.headers.items()}
        object.__setattr__(self, "headers", MappingProxyType(lowered))

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any case), or None."""
        return _lookup(self.headers, name)

    @property
    def ok(self) -> bool:
        """True for a 2xx status."""
        return 200 <= self.status < 300

    def __repr__(self) -> str:
        return (
            f"Response(status={self.status!r}, url={describe_url(self.url)!r}, "
            f"headers={dict(self.headers)!r}, body=<{len(self.body)} bytes>)"
        )


class Transport(Protocol):
    """Sends one :class:`Request` and returns its :class:`Response`.

    The contract a transport must keep:

    * Return a Response for every HTTP answer, 4xx and 5xx included; never raise for
      a status. The client checks statuses, retries and falls back itself. Follow
      redirects (``fetch`` does by default).
    * Raise :class:`~app.dicomweb.errors.NetworkError` (with the request's URL) when
      no answer could be read: the network is down, CORS refused the answer, or the
      certificate is not trusted. ``fetch`` rejects with a ``TypeError`` for all of
      these and cannot tell them apart; a failure while reading the body counts too.
      Keep its ``detail`` to the error's name and message: no URL, no headers.
    * Raise :class:`~app.dicomweb.errors.RequestTimeout` when ``request.timeout``
      seconds pass before the body is read in full, and abort the request then. The
      client also stops waiting a little after the timeout, as a safety net.
    * Cancellation: the client awaits ``send`` in the caller's task. When that task
      is cancelled, ``asyncio.CancelledError`` is raised at the ``await`` inside
      ``send``; the transport must then abort the request (``AbortController``),
      and let ``CancelledError`` propagate, never turn it into another error or a
      Response. The client never retries after a cancellation.
    * Send only the given headers; never log the Authorization value.
    """

    async def send(self, request: Request) -> Response:
        """Send ``request`` and return the whole answer."""
        ...


def _lookup(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None
