"""A ``multipart/related`` parser for WADO-RS answers (RFC 2387, RFC 2046 5.1).

It reads the whole body at once, as ``fetch`` delivers it, and finds each part by its
boundary delimiter. It copes with what servers actually send: quoted or unquoted
boundaries, CRLF or bare LF line ends, a preamble and an epilogue, and optional
per-part Content-Length. Anything cut short or not multipart raises
MalformedResponse; every loop moves forward through the body, so none can hang.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from . import media
from .errors import MalformedResponse
from .media import MediaType, parse_media_type

logger = logging.getLogger(__name__)

_CR = 0x0D
_LF = 0x0A
_PADDING = b" \t"
_CONTENT_TYPE = "content-type"
_CONTENT_LOCATION = "content-location"
_CONTENT_LENGTH = "content-length"
# Part headers are a few short lines; far more than that is not a DICOMweb answer.
MAX_PART_HEADER_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Part:
    """One body part: its headers (names lower-case) and its bytes."""

    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> MediaType | None:
        """The part's parsed Content-Type, if it has one."""
        value = self.headers.get(_CONTENT_TYPE)
        return parse_media_type(value) if value else None

    @property
    def content_location(self) -> str | None:
        """The part's Content-Location (PS3.18 8.7.3), if it has one."""
        return self.headers.get(_CONTENT_LOCATION)


@dataclass(frozen=True, slots=True)
class MultipartRelated:
    """A parsed ``multipart/related`` message."""

    content_type: MediaType
    parts: tuple[Part, ...]

    @property
    def root_type(self) -> MediaType | None:
        """The parsed ``type`` parameter, such as ``image/jls; transfer-syntax=...``."""
        value = self.content_type.param("type")
        return parse_media_type(value) if value else None

    def part_media_type(self, part: Part) -> str:
        """The media type of ``part``: its own Content-Type, else the root ``type``."""
        if part.content_type is not None and part.content_type.essence:
            return part.content_type.essence

        root = self.root_type
        return root.essence if root is not None else ""

    def part_transfer_syntax(self, part: Part) -> str | None:
        """The transfer syntax of ``part`` (PS3.18 8.7.3), or None if unknown.

        Looked up in the part's Content-Type, then in the root ``type`` parameter
        (where Orthanc puts it), then in a top-level ``transfer-syntax`` parameter
        (seen on some servers), then the default of the part's media type.
        """
        candidates = (
            part.content_type,
            self.root_type,
            self.content_type,
        )
        for candidate in candidates:
            if candidate is not None and candidate.transfer_syntax:
                return candidate.transfer_syntax

        return media.DEFAULT_TRANSFER_SYNTAX.get(self.part_media_type(part))


def parse_multipart_related(content_type: str, body: bytes) -> MultipartRelated:
    """Split a ``multipart/related`` body into its parts.

    ``content_type`` is the answer's Content-Type header. Raises MalformedResponse
    when it is not multipart/related with a boundary, when no delimiter is found,
    when a part's headers are not ``Name: value`` lines, or when the body ends before
    the closing delimiter.
    """
    outer = parse_media_type(content_type)
    if outer.essence != media.MULTIPART_RELATED:
        raise MalformedResponse(
            f"expected {media.MULTIPART_RELATED}, got {outer.essence or content_type!r}"
        )

    boundary = outer.param("boundary")
    if not boundary:
        raise MalformedResponse("the multipart Content-Type has no boundary")

    try:
        delimiter = b"--" + boundary.encode("ascii")
    except UnicodeEncodeError:
        raise MalformedResponse("the multipart boundary is not ASCII") from None

    parts = _split(body, delimiter)
    logger.debug(
        "Parsed a multipart body of %d bytes into %d parts", len(body), len(parts)
    )
    return MultipartRelated(outer, parts)


def _split(body: bytes, delimiter: bytes) -> tuple[Part, ...]:
    position = _first_delimiter_end(body, delimiter)
    parts: list[Part] = []
    while True:
        # ``position`` sits just after a delimiter; "--" there closes the body.
        if body.startswith(b"--", position):
            return tuple(parts)

        position = _skip_line_end(body, position)
        headers, position = _read_headers(body, position)
        content, position = _read_content(body, position, delimiter, headers)
        parts.append(Part(headers, content))


def _first_delimiter_end(body: bytes, delimiter: bytes) -> int:
    """Where the first delimiter ends; it starts the body or a line (RFC 2046)."""
    start = 0
    while True:
        found = body.find(delimiter, start)
        if found < 0:
            raise MalformedResponse("no multipart boundary delimiter in the body")

        end = found + len(delimiter)
        at_line_start = found == 0 or body[found - 1] == _LF
        if at_line_start and _ends_delimiter(body, end):
            return end

        start = found + 1


def _ends_delimiter(body: bytes, end: int) -> bool:
    """True if a delimiter may end at ``end``: not followed by more boundary text."""
    if end >= len(body):
        return True

    return body.startswith(b"--", end) or body[end] in b" \t\r\n"


def _skip_line_end(body: bytes, position: int) -> int:
    while position < len(body) and body[position] in _PADDING:
        position += 1

    if body.startswith(b"\r\n", position):
        return position + 2

    if body.startswith(b"\n", position):
        return position + 1

    if position >= len(body):
        raise MalformedResponse(
            "the body ends after a boundary, before the closing one"
        )

    raise MalformedResponse("unexpected bytes after a multipart boundary")


def _read_headers(body: bytes, position: int) -> tuple[Mapping[str, str], int]:
    """Read header lines up to the empty line; return them and where content starts."""
    if body.startswith(b"\r\n", position):
        return MappingProxyType({}), position + 2

    if body.startswith(b"\n", position):
        return MappingProxyType({}), position + 1

    # Bounded searches: an unbounded find for a blank line that a CRLF answer never
    # has would scan the whole (megabytes of) pixel data of every part.
    limit = min(len(body), position + MAX_PART_HEADER_BYTES)
    crlf = body.find(b"\n\r\n", position, limit)
    lf = body.find(b"\n\n", position, crlf + 2 if crlf >= 0 else limit)
    ends = [(found, length) for found, length in ((crlf, 3), (lf, 2)) if found >= 0]
    if not ends:
        if limit < len(body):
            raise MalformedResponse(
                f"the headers of a part are longer than {MAX_PART_HEADER_BYTES} bytes"
            )
        raise MalformedResponse("the body ends inside the headers of a part")

    found, length = min(ends)
    block = body[position : found + 1].decode("latin-1")
    return _parse_header_block(block), found + length


def _parse_header_block(block: str) -> Mapping[str, str]:
    headers: dict[str, str] = {}
    last = ""
    for raw_line in block.split("\n"):
        line = raw_line.rstrip("\r")
        if not line:
            continue

        if line[0] in " \t" and last:
            # An obsolete folded line (RFC 5322 2.2.3) continues the previous header.
            headers[last] = f"{headers[last]} {line.strip()}"
            continue

        name, colon, value = line.partition(":")
        if not colon or not name.strip() or name != name.strip():
            raise MalformedResponse("a part header line is not 'Name: value'")

        last = name.lower()
        headers[last] = value.strip()
    return MappingProxyType(headers)


def _read_content(
    body: bytes, position: int, delimiter: bytes, headers: Mapping[str, str]
) -> tuple[bytes, int]:
    """Return the part's content and the position just after the next delimiter."""
    length = _content_length(headers)
    if length is not None:
        end = position + length
        if end > len(body):
            raise MalformedResponse(
                f"a part declares {length} bytes but the body ends after "
                f"{len(body) - position}"
            )

        for line_end in (b"\r\n", b"\n"):
            if body.startswith(line_end + delimiter, end):
                after = end + len(line_end) + len(delimiter)
                if _ends_delimiter(body, after):
                    return body[position:end], after

        logger.warning(
            "A multipart part's Content-Length does not end at a boundary "
            "(RFC 2046 5.1.1); finding the boundary instead"
        )

    return _scan_content(body, position, delimiter)


def _scan_content(body: bytes, position: int, delimiter: bytes) -> tuple[bytes, int]:
    # An empty part may put the delimiter right after the blank line, sharing its
    # line break with the headers.
    if body.startswith(delimiter, position) and _ends_delimiter(
        body, position + len(delimiter)
    ):
        return b"", position + len(delimiter)

    marker = b"\n" + delimiter
    start = position
    while True:
        found = body.find(marker, start)
        if found < 0:
            raise MalformedResponse("the body ends before the closing boundary")

        after = found + len(marker)
        if _ends_delimiter(body, after):
            end = found - 1 if found > position and body[found - 1] == _CR else found
            return body[position:end], after

        start = found + 1


def _content_length(headers: Mapping[str, str]) -> int | None:
    value = headers.get(_CONTENT_LENGTH)
    if value is None:
        return None

    if not value.isdigit():
        logger.warning("Ignoring a multipart part's invalid Content-Length %r", value)
        return None

    return int(value)
