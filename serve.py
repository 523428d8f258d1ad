#!/usr/bin/env python3
"""Serve the viewer as a static site: ``python3 serve.py [--host H] [--port P]``.

Standard library only, so it runs on any machine with Python 3.11+, also one
with no network.  The viewer itself calls the PACS from the browser; this
server hands out the site's files, with the MIME types, cache rules and
security headers the browser runtime needs.

It also answers as a small read-only DICOMweb server under ``/sample/rs``, with
the synthetic studies of ``assets/sample`` (made by scripts/make_sample_data.py),
so that a first run has images to show: QIDO-RS searches of studies, series and
instances, WADO-RS metadata, frames in Explicit VR Little Endian, and rendered
PNGs for the series thumbnails.
"""

from __future__ import annotations

import argparse
import array
import email.message
import errno
import gzip
import http.server
import json
import re
import struct
import sys
import threading
import uuid
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

SITE_ROOT = Path(__file__).resolve().parent

# Pyodide refuses to compile wasm served under another type, and module scripts
# must be JavaScript; older Pythons map .mjs to nothing.
MIME_TYPES = {
    ".wasm": "application/wasm",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".toml": "text/plain; charset=utf-8",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".py": "text/x-python; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".dcm": "application/dicom",
}

# Only these top-level entries are part of the site; tests, scripts and the
# repository's own files are not served.
PUBLIC = {"index.html", "pyscript.toml", "app", "assets", "favicon.ico"}

# The vendored runtime lives in versioned folders (see scripts/vendor_runtime.py),
# so a browser may keep it for a year; everything else is revalidated on each
# visit so a deployment of new app code shows at once.
IMMUTABLE_PREFIX = "/assets/vendor/"

# 'wasm-unsafe-eval' lets Pyodide compile its WebAssembly; 'unsafe-eval' is
# needed because Pyodide builds JavaScript functions at run time for its FFI.
# connect-src allows any https PACS plus loopback over http, as the settings do.
# CSP has no syntax for IPv6 literals, so http://[::1] is not reachable from a
# page served by this server (https://[::1] is, through "https:").
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https: http://localhost:* http://127.0.0.1:*",
        "connect-src 'self' https: http://localhost:* http://127.0.0.1:*",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


# The sample DICOMweb server -------------------------------------------------------

SAMPLE_PREFIX = "/sample"
SAMPLE_RS = "/sample/rs/"
SAMPLE_FOLDER = SITE_ROOT / "assets" / "sample"
SAMPLE_FORMAT = ("zhiva-sample-archive", 1)
# The URL of the "Sample Server" preset in assets/servers.json.
SAMPLE_PRESET_URL = "http://127.0.0.1:8000/sample"

DICOM_JSON = "application/dicom+json"
OCTET_STREAM = "application/octet-stream"
EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"
JSON_TYPES = frozenset({DICOM_JSON, "application/json", "application/*", "*/*"})
UID_TAGS = ("0020000D", "0020000E", "00080018")  # study, series, SOP instance
LEVELS = ("study", "series", "instance")
CHILDREN = ("", "series", "instances")  # what a study or a series lists

# Matching keys of the QIDO-RS levels (PS3.18 10.6.1.2): keyword -> DICOM JSON tag
# and kind. "text" is single value or wildcard matching (PS3.4 C.2.2.2.1 and .4),
# "name" the same on a person name (see _name_matches), "any" a comma list of
# patterns one of which must match one of the values, "uid" a UID list, "date" a
# date or range (PS3.4 C.2.2.2.5). Case is ignored, as PS3.4 allows for names; the
# sample does so everywhere.
MATCHING: tuple[dict[str, tuple[str, str]], ...] = (
    {
        "StudyInstanceUID": ("0020000D", "uid"),
        "PatientName": ("00100010", "name"),
        "PatientID": ("00100020", "text"),
        "AccessionNumber": ("00080050", "text"),
        "StudyDescription": ("00081030", "text"),
        "ModalitiesInStudy": ("00080061", "any"),
        "StudyDate": ("00080020", "date"),
    },
    {
        "SeriesInstanceUID": ("0020000E", "uid"),
        "Modality": ("00080060", "any"),
        "SeriesDescription": ("0008103E", "text"),
    },
    {"SOPInstanceUID": ("00080018", "uid"), "SOPClassUID": ("00080016", "uid")},
)
# Accepted and ignored: every attribute is always returned, names always match
# the lenient way of _name_matches.
IGNORED_PARAMETERS = frozenset({"includefield", "fuzzymatching"})
_DATE = re.compile(r"[0-9]{8}")
_NUMBER = re.compile(r"[0-9]{1,9}")
_DECIMAL = re.compile(r"-?[0-9]{1,9}(\.[0-9]{1,9})?")


class SampleError(Exception):
    """A request the sample server cannot answer: an HTTP status and a sentence."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class SampleAnswer:
    status: int
    content_type: str
    body: bytes


class SampleArchive:
    """The studies of assets/sample, made by scripts/make_sample_data.py.

    ``index.json`` holds each study, series and instance with the DICOM JSON
    (PS3.18 F.2) a QIDO-RS search returns for it (``qido``); each series names its
    metadata file, each instance its gzip file of native frames.
    """

    def __init__(self, folder: Path, studies: list[dict[str, Any]]) -> None:
        self.folder = folder
        self.studies = studies
        # Every study, series and instance by its UIDs, for the WADO-RS paths.
        self.nodes: dict[tuple[str, ...], dict[str, Any]] = {}
        for study in studies:
            uids = (_first(study["qido"], UID_TAGS[0]),)
            self.nodes[uids] = study
            for series in study["series"]:
                series_uids = (*uids, _first(series["qido"], UID_TAGS[1]))
                self.nodes[series_uids] = series
                series["datasets"] = json.loads(
                    (folder / series["metadata"]).read_bytes()
                )
                for instance in series["instances"]:
                    instance_uid = _first(instance["qido"], UID_TAGS[2])
                    self.nodes[(*series_uids, instance_uid)] = instance

    @classmethod
    def load(cls, folder: Path) -> SampleArchive:
        index = folder / "index.json"
        if not index.is_file():
            raise SampleError(
                404,
                "There is no sample archive (assets/sample/index.json); make it with "
                "scripts/make_sample_data.py.",
            )

        try:
            document = json.loads(index.read_bytes())
            if (document.get("format"), document.get("version")) != SAMPLE_FORMAT:
                raise ValueError(f"format {document.get('format')!r} is not known")
            return cls(folder, document["studies"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise SampleError(
                500,
                f"The sample archive cannot be read ({type(error).__name__}: {error}); "
                "make it again with scripts/make_sample_data.py.",
            ) from None

    def node(self, uids: tuple[str, ...]) -> dict[str, Any]:
        if uids not in self.nodes:
            level = LEVELS[len(uids) - 1]
            raise SampleError(404, f"The sample archive has no {level} {uids[-1]!r}.")
        return self.nodes[uids]

    def search(
        self, uids: tuple[str, ...], params: list[tuple[str, str]]
    ) -> list[dict[str, Any]]:
        """QIDO-RS (PS3.18 10.6): all studies, a study's series, a series' instances."""
        entries = self.node(uids)[CHILDREN[len(uids)]] if uids else self.studies
        filters, offset, limit = _read_query(params, MATCHING[len(uids)])
        answers = [
            entry["qido"]
            for entry in entries
            if all(
                _matches(kind, value, _texts(entry["qido"], tag))
                for tag, kind, value in filters
            )
        ]
        return answers[offset : None if limit is None else offset + limit]

    def metadata(self, uids: tuple[str, ...]) -> list[dict[str, Any]]:
        """WADO-RS metadata (PS3.18 10.4) of a study or a series."""
        node = self.node(uids)
        if len(uids) == 2:
            return list(node["datasets"])

        return [dataset for series in node["series"] for dataset in series["datasets"]]

    def instance_metadata(self, uids: tuple[str, ...]) -> dict[str, Any]:
        """The WADO-RS metadata of one instance."""
        self.node(uids)
        datasets = self.node(uids[:2])["datasets"]
        return next(d for d in datasets if _first(d, UID_TAGS[2]) == uids[2])

    def frames(self, uids: tuple[str, ...], numbers: list[int]) -> list[bytes]:
        """The native frames ``numbers`` (from 1) of an instance, in that order."""
        instance = self.node(uids)
        count, length = instance["frames"], instance["frame_length"]
        for number in numbers:
            if not 1 <= number <= count:
                raise SampleError(
                    404,
                    f"There is no frame {number}: the instance has {count}, from 1.",
                )

        pixels = _read_pixels(self.folder / instance["pixels"], count * length)
        return [pixels[(n - 1) * length : n * length] for n in numbers]


@lru_cache(maxsize=16)
def _read_pixels(path: Path, size: int) -> bytes:
    try:
        pixels = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as error:
        raise SampleError(
            500, f"The sample pixels {path.name} cannot be read: {error}"
        ) from None

    if len(pixels) != size:
        raise SampleError(500, f"The sample pixels {path.name} have the wrong size.")
    return pixels


def _read_query(
    params: list[tuple[str, str]], matching: dict[str, tuple[str, str]]
) -> tuple[list[tuple[str, str, str]], int, int | None]:
    """QIDO-RS parameters as filters (tag, kind, value), offset and limit."""
    filters = []
    paging: dict[str, int | None] = {"offset": 0, "limit": None}
    by_tag = {tag: (tag, kind) for tag, kind in matching.values()}
    for key, value in params:
        if key in paging:
            if not _NUMBER.fullmatch(value):
                raise SampleError(
                    400, f"{key}={value!r} is invalid; give a whole number."
                )
            paging[key] = int(value)
            continue

        if key in IGNORED_PARAMETERS:
            continue

        # PS3.18 8.3.4.1: the key is a keyword or the tag in hex.
        tag_and_kind = matching.get(key) or by_tag.get(key.upper())
        if tag_and_kind is None:
            raise SampleError(
                400,
                f"Matching on {key!r} is not supported by the sample server; it "
                f"matches on {', '.join(matching)}.",
            )
        filters.append((*tag_and_kind, value))
    return filters, paging["offset"] or 0, paging["limit"]


def _first(dataset: dict[str, Any], tag: str) -> str:
    values = _texts(dataset, tag)
    return values[0] if values else ""


def _texts(dataset: dict[str, Any], tag: str) -> list[str]:
    """The values of ``tag`` as text; a person name by its Alphabetic group."""
    values = dataset.get(tag, {}).get("Value", [])
    return [v.get("Alphabetic", "") if isinstance(v, dict) else str(v) for v in values]


def _matches(kind: str, pattern: str, values: list[str]) -> bool:
    if not pattern:
        return True  # universal matching (PS3.4 C.2.2.2.3)

    if kind == "uid":
        return any(value in re.split(r"[,\\]", pattern) for value in values)

    if kind == "date":
        start, end = _date_range(pattern)
        return any(start <= value <= end for value in values)

    if kind == "any":
        patterns = [_wildcard(p.strip()) for p in pattern.split(",")]
        return any(p.fullmatch(value) for p in patterns for value in values)

    if kind == "name":
        return any(_name_matches(pattern, value) for value in values or [""])

    return any(_wildcard(pattern).fullmatch(value) for value in values or [""])


def _name_matches(pattern: str, name: str) -> bool:
    """The whole name, or for a pattern without ``^`` any one component, matches.

    So ``J*rgen*`` finds ``Muster^Jürgen``, as a user who typed a given name
    expects: more lenient than PS3.4 C.2.2.2.4, as several archives are, and a
    superset of the strict results.
    """
    compiled = _wildcard(pattern)
    if compiled.fullmatch(name):
        return True

    return "^" not in pattern and any(compiled.fullmatch(c) for c in name.split("^"))


@lru_cache(maxsize=256)
def _wildcard(pattern: str) -> re.Pattern[str]:
    """``*`` any run of characters, ``?`` one character (PS3.4 C.2.2.2.4)."""
    pieces = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(pieces), re.IGNORECASE | re.DOTALL)


def _date_range(pattern: str) -> tuple[str, str]:
    """``A``, ``A-B``, ``A-`` or ``-B`` as an inclusive (start, end) of YYYYMMDD."""
    start, dash, end = pattern.partition("-")
    end = end if dash else start
    if not (start or end) or any(p and not _DATE.fullmatch(p) for p in (start, end)):
        raise SampleError(
            400,
            f"The date {pattern!r} is invalid; give YYYYMMDD or a range such as "
            "20240101-20241231, either end left out if need be.",
        )
    return start or "00000000", end or "99999999"


def answer_sample(server: SiteServer, target: str, accept: str | None) -> SampleAnswer:
    """Route one GET under /sample to the archive and encode its answer."""
    parts = urlsplit(target)
    path = parts.path.removesuffix("/")
    segments = (
        path.removeprefix(SAMPLE_RS).split("/") if path.startswith(SAMPLE_RS) else []
    )
    uids = tuple(unquote(segment) for segment in segments[1::2])
    params = parse_qsl(parts.query, keep_blank_values=True)

    match segments:
        case (
            ["studies"]
            | ["studies", _, "series"]
            | ["studies", _, "series", _, "instances"]
        ):
            _accept_json(accept)
            return _json(server.sample_archive().search(uids, params))
        case ["studies", _, "metadata"] | ["studies", _, "series", _, "metadata"]:
            _accept_json(accept)
            return _json(server.sample_archive().metadata(uids))
        case ["studies", _, "series", _, "instances", _, "frames", listed]:
            _accept_frames(accept)
            numbers = _frame_numbers(listed)
            frames = server.sample_archive().frames(uids[:3], numbers)
            return _multipart(frames, numbers, path.rsplit("/", 1)[0])
        case ["studies", _, "series", _, "instances", _, "rendered"]:
            return _rendered(server.sample_archive(), uids, 1, dict(params))
        case ["studies", _, "series", _, "instances", _, "frames", listed, "rendered"]:
            (number,) = _frame_numbers(listed, most=1)
            return _rendered(server.sample_archive(), uids[:3], number, dict(params))

    raise SampleError(
        404,
        f"{parts.path} is not a resource of the sample server. It answers QIDO-RS "
        f"and WADO-RS under {SAMPLE_RS}: studies, studies/{{study}}/series, "
        ".../series/{series}/instances, .../metadata, .../frames/{list} and "
        ".../rendered.",
    )


def _frame_numbers(listed: str, most: int = 0) -> list[int]:
    pieces = listed.split(",")
    if not all(_NUMBER.fullmatch(piece) for piece in pieces) or (
        most and len(pieces) > most
    ):
        raise SampleError(
            400, f"The frame list {listed!r} is invalid; give numbers such as 1,2,3."
        )
    return [int(piece) for piece in pieces]


def _rendered(
    archive: SampleArchive, uids: tuple[str, ...], number: int, params: dict[str, str]
) -> SampleAnswer:
    """A frame as PNG (PS3.18 8.3.5.1): windowed to 8 bits, shrunk to the viewport.

    The viewer asks for image/jpeg, for which the standard library has no encoder;
    PNG goes out whatever Accept says, as RFC 9110 12.5.1 allows, and the client
    tells the two apart by their bytes. A whole instance renders as its first
    frame; ``quality`` is ignored.
    """
    dataset = archive.instance_metadata(uids)
    (frame,) = archive.frames(uids, [number])
    rows, columns = int(_number(dataset, "00280010")), int(_number(dataset, "00280011"))
    samples = int(_number(dataset, "00280002", 1))
    signed = _number(dataset, "00280103", 0) == 1
    bits = int(_number(dataset, "00280100"))
    values = array.array({8: "B", 16: "h" if signed else "H"}[bits], frame)
    if sys.byteorder == "big":
        values.byteswap()

    width, height = _numbers(params.get("viewport") or f"{columns},{rows}", "viewport")
    step = max(1, -(-columns // max(1, int(width))), -(-rows // max(1, int(height))))
    picked = [
        values[(row * columns + column) * samples + sample]
        for row in range(0, rows, step)
        for column in range(0, columns, step)
        for sample in range(samples)
    ]
    if samples == 1:
        picked = _window(dataset, picked, params.get("window"))
    out_width = len(range(0, columns, step))
    line = out_width * samples
    lines = [
        bytes(picked[start : start + line]) for start in range(0, len(picked), line)
    ]
    return SampleAnswer(200, "image/png", _png(out_width, len(lines), samples, lines))


def _window(
    dataset: dict[str, Any], values: list[int], window: str | None
) -> list[int]:
    """The modality LUT, then a linear VOI window (PS3.3 C.11.1, C.11.2) to 0-255;
    MONOCHROME1 is inverted. The window is the ``window`` parameter, else the
    dataset's first (0028,1050) Window Center and (0028,1051) Window Width."""
    slope, intercept = _number(dataset, "00281053", 1), _number(dataset, "00281052", 0)
    if window:
        center, width = _numbers(window, "window")[:2]
    else:
        center, width = (
            _number(dataset, "00281050", 128),
            _number(dataset, "00281051", 256),
        )
    low, scale = center - width / 2, 255 / max(width, 1)
    invert = _first(dataset, "00280004") == "MONOCHROME1"
    grey = [
        min(255, max(0, int((v * slope + intercept - low) * scale))) for v in values
    ]
    return [255 - g for g in grey] if invert else grey


def _png(width: int, height: int, samples: int, lines: list[bytes]) -> bytes:
    """An 8-bit grey or RGB PNG, every line unfiltered (PNG spec 11.2.2)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(
        ">IIBBBBB", width, height, 8, 2 if samples == 3 else 0, 0, 0, 0
    )
    pixels = zlib.compress(b"".join(b"\x00" + line for line in lines))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def _number(dataset: dict[str, Any], tag: str, default: float | None = None) -> float:
    values = dataset.get(tag, {}).get("Value") or [default]
    return float(values[0])


def _numbers(text: str, name: str) -> list[float]:
    """The first two of the comma-separated numbers of a ``viewport`` or ``window``."""
    pieces = text.split(",")[:2]
    if len(pieces) < 2 or not all(_DECIMAL.fullmatch(p.strip()) for p in pieces):
        raise SampleError(400, f"{name}={text!r} is invalid; give two numbers, a,b.")
    return [float(piece) for piece in pieces]


def _json(datasets: list[dict[str, Any]]) -> SampleAnswer:
    if not datasets:
        return SampleAnswer(204, DICOM_JSON, b"")  # no match (PS3.18 10.6.3.2)

    return SampleAnswer(
        200, DICOM_JSON, json.dumps(datasets, ensure_ascii=False).encode()
    )


def _multipart(frames: list[bytes], numbers: list[int], location: str) -> SampleAnswer:
    """One part per frame, in the order asked (PS3.18 8.7.3)."""
    boundary = uuid.uuid4().hex
    part_type = f"{OCTET_STREAM}; transfer-syntax={EXPLICIT_VR_LITTLE_ENDIAN}"
    chunks: list[bytes] = []
    for number, frame in zip(numbers, frames, strict=True):
        head = f"--{boundary}\r\nContent-Type: {part_type}\r\n"
        head += f"Content-Location: {location}/{number}\r\n\r\n"
        chunks += [head.encode(), frame, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    content_type = (
        f'multipart/related; type="{OCTET_STREAM}"; '
        f"transfer-syntax={EXPLICIT_VR_LITTLE_ENDIAN}; boundary={boundary}"
    )
    return SampleAnswer(200, content_type, b"".join(chunks))


def _media_ranges(accept: str | None) -> list[tuple[str, dict[str, str]]]:
    """The media ranges of an Accept value (RFC 9110 12.5.1); q-values are ignored."""
    ranges = []
    for item in re.findall(r'(?:[^,"]|"(?:\\.|[^"\\])*")+', accept or "*/*"):
        message = email.message.Message()
        message["Content-Type"] = item
        params = dict(message.get_params(failobj=[])[1:])
        ranges.append((item.split(";", 1)[0].strip().lower(), params))
    return ranges


def _accept_json(accept: str | None) -> None:
    if not any(essence in JSON_TYPES for essence, _ in _media_ranges(accept)):
        raise SampleError(406, f"The sample server sends this only as {DICOM_JSON}.")


def _accept_frames(accept: str | None) -> None:
    """Frames are stored and sent in Explicit VR Little Endian, so it answers both
    ``transfer-syntax=*`` and no parameter (PS3.18 8.7.3)."""
    for essence, params in _media_ranges(accept):
        syntax = params.get("transfer-syntax", "*")
        if essence in ("*/*", "multipart/*") or (
            essence == "multipart/related"
            and params.get("type", OCTET_STREAM).lower() == OCTET_STREAM
            and syntax in ("*", EXPLICIT_VR_LITTLE_ENDIAN)
        ):
            return

    raise SampleError(
        406,
        f'The sample server sends frames only as multipart/related; type="{OCTET_STREAM}"'
        f" in Explicit VR Little Endian ({EXPLICIT_VR_LITTLE_ENDIAN}).",
    )


# The site -------------------------------------------------------------------------


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from SITE_ROOT with the viewer's headers."""

    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        **MIME_TYPES,
    }
    server_version = "zhiva-serve"
    sys_version = ""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, directory=str(SITE_ROOT), **kwargs)  # type: ignore[arg-type]

    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        top = path.lstrip("/").split("/", 1)[0]
        if path != "/" and top not in PUBLIC:
            self.send_error(404, "Not part of the site")
            return None
        return super().send_head()

    def do_GET(self) -> None:
        if self._is_sample():
            self._send_sample(with_body=True)
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        if self._is_sample():
            self._send_sample(with_body=False)
            return
        super().do_HEAD()

    def do_OPTIONS(self) -> None:
        # A page on another origin (http://localhost:8000 for the preset's
        # 127.0.0.1) asks first: the frames' Accept value has quotes, which Fetch
        # does not let through without a CORS preflight.
        if not self._is_sample():
            self.send_error(501, "Unsupported method ('OPTIONS')")
            return

        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD")
        self.send_header("Access-Control-Allow-Headers", "Accept, Authorization")
        self.send_header("Access-Control-Max-Age", "600")
        self.end_headers()

    def _is_sample(self) -> bool:
        path = self.path.split("?", 1)[0]
        return path == SAMPLE_PREFIX or path.startswith(SAMPLE_PREFIX + "/")

    def _send_sample(self, with_body: bool) -> None:
        try:
            accept = self.headers.get("Accept")
            answer = answer_sample(self.server, self.path, accept)  # type: ignore[arg-type]
        except SampleError as error:
            body = (error.message + "\n").encode()
            answer = SampleAnswer(error.status, "text/plain; charset=utf-8", body)

        self.send_response(answer.status)
        self.send_header("Access-Control-Allow-Origin", "*")
        if answer.status != 204:
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if with_body:
            self.wfile.write(answer.body)

    def end_headers(self) -> None:
        path = self.path.split("?", 1)[0]
        if path.startswith(IMMUTABLE_PREFIX):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if self.server.quiet:  # type: ignore[attr-defined]
            return
        super().log_message(format, *args)


class SiteServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    quiet = False
    sample_folder = SAMPLE_FOLDER
    _sample: SampleArchive | None = None
    _sample_lock = threading.Lock()

    def sample_archive(self) -> SampleArchive:
        """The sample archive, read on first use; a failed read is tried again."""
        with self._sample_lock:
            if self._sample is None:
                self._sample = SampleArchive.load(self.sample_folder)
            return self._sample


def sample_notice(host: str, port: int) -> str:
    """The line that says where the sample server answers."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}{SAMPLE_PREFIX}"
    if not (SAMPLE_FOLDER / "index.json").is_file():
        return f"No sample archive in {SAMPLE_FOLDER}; scripts/make_sample_data.py makes it"

    notice = f"Sample DICOMweb server at {url} (QIDO-RS and WADO-RS under {url}/rs)"
    if url != SAMPLE_PRESET_URL:
        notice += (
            f'. The "Sample Server" preset expects {SAMPLE_PRESET_URL}: to use this '
            f"one, add a server with the URL {url} and the QIDO and WADO postfix "
            '"rs" in Settings > Servers'
        )
    return notice


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the DICOM viewer.")
    parser.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="default: 8000")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args(argv)

    try:
        server = SiteServer((args.host, args.port), SiteHandler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(
                f"Port {args.port} on {args.host} is already in use. Stop the program "
                f"using it, or pick another port: python3 serve.py --port "
                f"{args.port + 1}",
                file=sys.stderr,
            )
            return 1
        print(f"Cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    server.quiet = args.quiet

    host = f"[{args.host}]" if ":" in args.host else args.host
    port = server.server_address[1]
    serving = f"Serving the viewer at http://{host}:{port}/  (Ctrl-C to stop)"
    notice = sample_notice(args.host, port)
    try:
        # Inside the try: a Ctrl-C that comes as soon as the lines are out (the
        # tests send one) must still stop cleanly.
        print(f"{serving}\n{notice}", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopped.")
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
