"""An in-memory Transport for tests: scripted answers and a log of requests.

It lives in the package, not under ``tests/``, so tests of the views and of the
browser layer can use it too. It imports nothing from the browser.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass

from . import media
from .transport import Request, Response

Answer = Response | BaseException | Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Hang:
    """An answer that never comes: ``send`` waits until its task is cancelled."""


class FakeTransport:
    """Answers requests in order from a script and records every request.

    Each scripted answer is a Response (returned), an exception (raised), a
    :class:`Hang` (wait forever, for cancellation and timeout tests), or an async
    function of the Request. Running out of answers fails the test loudly.
    """

    def __init__(self, answers: Iterable[Answer | Hang] = ()) -> None:
        self.answers: deque[Answer | Hang] = deque(answers)
        self.requests: list[Request] = []
        self.cancelled = 0

    def add(self, *answers: Answer | Hang) -> FakeTransport:
        """Append answers to the script; returns self for chaining."""
        self.answers.extend(answers)
        return self

    @property
    def urls(self) -> list[str]:
        """The URLs requested so far, in order."""
        return [request.url for request in self.requests]

    async def send(self, request: Request) -> Response:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"FakeTransport has no answer for {request!r}")

        answer = self.answers.popleft()
        if isinstance(answer, Hang):
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
            raise AssertionError("unreachable")  # pragma: no cover

        if isinstance(answer, BaseException):
            raise answer

        if isinstance(answer, Response):
            return answer if answer.url else _with_url(answer, request.url)

        return await answer(request)


def json_response(
    payload: object, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A DICOM JSON answer with ``payload`` encoded as UTF-8."""
    merged = {"Content-Type": media.DICOM_JSON, **(headers or {})}
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, merged, body)


def status_response(status: int, body: bytes = b"") -> Response:
    """An answer with ``status`` and an optional body."""
    return Response(status, {}, body)


def multipart_response(
    parts: Iterable[tuple[str, bytes]],
    *,
    type_param: str = f'type="{media.OCTET_STREAM}"',
    boundary: str = "BOUNDARY",
) -> Response:
    """A ``multipart/related`` answer with one part per (Content-Type, bytes) pair."""
    chunks: list[bytes] = []
    for content_type, data in parts:
        head = f"--{boundary}\r\nContent-Type: {content_type}\r\n\r\n".encode("latin-1")
        chunks.append(head + data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode("latin-1"))
    content_type = f"{media.MULTIPART_RELATED}; {type_param}; boundary={boundary}"
    return Response(200, {"Content-Type": content_type}, b"".join(chunks))


def _with_url(response: Response, url: str) -> Response:
    return Response(response.status, response.headers, response.body, url)
