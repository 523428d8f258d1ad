"""The DICOMweb client's errors: one hierarchy, each with a sentence for the user.

``str(error)`` is for the console and names the thing that failed; ``user_message()``
is for the page and says what the user can do. Neither ever contains credentials, and
URLs in them have their query values masked because QIDO values are patient data.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .media import transfer_syntax_name
from .urls import describe_url, path_of


class DicomwebError(Exception):
    """Base of every error the DICOMweb client raises."""

    def user_message(self) -> str:
        """A sentence a user can act on, fit to show on the page."""
        return str(self)


class EndpointError(DicomwebError):
    """A server root or credential the client was given cannot be used."""


class InvalidQuery(DicomwebError):
    """A search filter cannot be turned into a QIDO-RS query."""


class HttpStatusError(DicomwebError):
    """The server answered with an HTTP status outside 2xx."""

    def __init__(self, status: int, url: str, detail: str = "") -> None:
        self.status = status
        self.url = url
        self.detail = detail
        super().__init__(f"HTTP {status} from GET {describe_url(url)}" + _colon(detail))

    def user_message(self) -> str:
        path = path_of(self.url)
        origin = _origin_text(self.url)
        if self.status in (401, 403):
            return (
                f"The server at {origin} refused access (HTTP {self.status}). "
                "Check the user name and password, or the token, in the server "
                "settings."
            )

        if self.status == 404:
            return (
                f"The server at {origin} has nothing at {path} (HTTP 404). Check the "
                "QIDO-RS, WADO-RS and WADO-URI postfixes in the server settings; if "
                "other requests work, the item may have been deleted."
            )

        if 500 <= self.status < 600:
            return (
                f"The server at {origin} failed while answering {path} "
                f"(HTTP {self.status}). Try again later; the server's log says why."
            )

        return (
            f"The server at {origin} rejected the request for {path} "
            f"(HTTP {self.status}). It may not support this DICOMweb request."
        )


class NetworkError(DicomwebError):
    """No HTTP answer could be read: network down, CORS refused, or bad certificate.

    The browser's ``fetch`` reports all three the same way, so the message lists them.
    """

    def __init__(self, url: str, detail: str = "") -> None:
        self.url = url
        self.detail = detail
        super().__init__(
            f"No answer readable from GET {describe_url(url)}" + _colon(detail)
        )

    def user_message(self) -> str:
        origin = _origin_text(self.url)
        return (
            f"The browser could not read an answer from {origin}. The server may be "
            "down, may not allow requests from this page (CORS), or may use a "
            f"certificate the browser does not trust: open {origin}{path_of(self.url)} "
            "in a new tab to check."
        )


class RequestTimeout(DicomwebError):
    """The server sent no complete answer within the request's timeout."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        super().__init__(f"No answer within {timeout:g} s from GET {describe_url(url)}")

    def user_message(self) -> str:
        return (
            f"The server at {_origin_text(self.url)} did not answer within "
            f"{self.timeout:g} seconds. It may be busy or unreachable; try again later."
        )


class MalformedResponse(DicomwebError):
    """The server's answer is not what PS3.18 says it should be."""

    def __init__(self, detail: str, url: str | None = None) -> None:
        self.detail = detail
        self.url = url
        where = f" from GET {describe_url(url)}" if url else ""
        super().__init__(f"Malformed answer{where}: {detail}")

    def user_message(self) -> str:
        where = f" at {_origin_text(self.url)}" if self.url else ""
        return (
            f"The answer of the server{where} could not be read ({self.detail}). "
            "Check that the postfixes in the server settings point at its DICOMweb "
            "service; if they do, the server may have been interrupted: try again."
        )


class UnsupportedTransferSyntax(DicomwebError):
    """Pixel data came in a transfer syntax the viewer cannot decode."""

    def __init__(self, transfer_syntax_uid: str, url: str | None = None) -> None:
        self.transfer_syntax_uid = transfer_syntax_uid
        self.url = url
        name = transfer_syntax_name(transfer_syntax_uid)
        super().__init__(
            f"Transfer syntax {name} ({transfer_syntax_uid!r}) is not supported"
            + (f" (GET {describe_url(url)})" if url else "")
        )

    def user_message(self) -> str:
        name = transfer_syntax_name(self.transfer_syntax_uid)
        return (
            f"These images are stored as {name}, which this viewer cannot decode, "
            "and the server did not convert them to Explicit VR Little Endian. Ask "
            "the server's administrator to enable transcoding."
        )


def _colon(detail: str) -> str:
    return f": {detail}" if detail else ""


def _origin_text(url: str | None) -> str:
    """``scheme://host:port`` of ``url`` without userinfo, or 'the server'."""
    if not url:
        return "the server"

    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return "the server"

    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    port = f":{parts.port}" if parts.port is not None else ""
    return f"{parts.scheme}://{host}{port}"
