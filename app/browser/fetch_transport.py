"""The DICOMweb client's transport in the browser: ``fetch`` with an AbortController.

Why not pyodide-http (which patches ``requests``/``urllib`` onto the browser):
its requests are synchronous XMLHttpRequests, which block the page's only
thread while a study loads and cannot be cancelled. ``fetch`` is asynchronous,
streams into an ArrayBuffer outside the Python heap, and can be aborted when the
user moves on.
"""

from __future__ import annotations

import asyncio
import logging

import js
from pyodide.ffi import JsException, create_once_callable, to_js

from app.dicomweb.errors import NetworkError, RequestTimeout
from app.dicomweb.transport import Request, Response
from app.dicomweb.urls import describe_url

logger = logging.getLogger(__name__)


class FetchTransport:
    """Implements :class:`app.dicomweb.transport.Transport` with ``window.fetch``."""

    async def send(self, request: Request) -> Response:
        controller = js.AbortController.new()
        timed_out = False

        def on_timeout() -> None:
            nonlocal timed_out
            timed_out = True
            controller.abort()

        headers = js.Headers.new()
        for name, value in request.headers.items():
            headers.append(name, value)
        init = to_js(
            {
                "method": request.method,
                "headers": headers,
                "signal": controller.signal,
                # Credentials travel only as the Authorization header the client
                # chose; cookies of the PACS origin are never sent.
                "credentials": "omit",
                "referrerPolicy": "no-referrer",
            },
            dict_converter=js.Object.fromEntries,
        )
        timer = js.setTimeout(
            create_once_callable(on_timeout), int(request.timeout * 1000)
        )
        try:
            answer = await js.fetch(request.url, init)
            buffer = await answer.arrayBuffer()
        except asyncio.CancelledError:
            # The view started something newer; stop the download at once.
            controller.abort()
            raise
        except JsException as error:
            if timed_out:
                raise RequestTimeout(request.url, request.timeout) from None
            # fetch rejects with a TypeError for a refused connection, a CORS
            # refusal and an untrusted certificate alike; the page cannot tell.
            raise NetworkError(request.url, str(error.name)) from None
        finally:
            js.clearTimeout(timer)

        response_headers = {
            str(pair[0]): str(pair[1])
            for pair in js.Array.from_(answer.headers.entries())
        }
        body = buffer.to_bytes()
        # The query may hold a patient's name: log the path only.
        logger.debug(
            "%s %s -> %s", request.method, describe_url(request.url), answer.status
        )
        return Response(
            status=int(answer.status),
            headers=response_headers,
            body=body,
            url=str(answer.url) or request.url,
        )
