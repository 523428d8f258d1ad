"""Media types, transfer syntax UIDs and byte sniffing, named once.

PS3.18 8.7 lists the media types a DICOMweb server may send; PS3.5 Annex A and PS3.6
Table A-1 the transfer syntaxes. Everything the client compares or sends is a constant
here, so no other module spells a media type or a UID.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

logger = logging.getLogger(__name__)

# Media types (PS3.18 8.7.3).
DICOM_JSON = "application/dicom+json"
JSON = "application/json"
DICOM = "application/dicom"
OCTET_STREAM = "application/octet-stream"
MULTIPART_RELATED = "multipart/related"
IMAGE_JPEG = "image/jpeg"
IMAGE_PNG = "image/png"
IMAGE_JLS = "image/jls"
IMAGE_JP2 = "image/jp2"
IMAGE_DICOM_RLE = "image/dicom-rle"

# Transfer syntax UIDs (PS3.6 Table A-1).
IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2"
EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"
DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1.99"
EXPLICIT_VR_BIG_ENDIAN = "1.2.840.10008.1.2.2"
JPEG_BASELINE_8BIT = "1.2.840.10008.1.2.4.50"
JPEG_EXTENDED_12BIT = "1.2.840.10008.1.2.4.51"
JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57"
JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70"
JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80"
JPEG_LS_NEAR_LOSSLESS = "1.2.840.10008.1.2.4.81"
JPEG_2000_LOSSLESS = "1.2.840.10008.1.2.4.90"
JPEG_2000 = "1.2.840.10008.1.2.4.91"
RLE_LOSSLESS = "1.2.840.10008.1.2.5"

#: The ``transfer-syntax`` parameter value that asks for the stored syntax
#: (PS3.18 8.7.3).
ANY_TRANSFER_SYNTAX = "*"

# Accept values for bulk data and frames. Each is exactly ONE media type: Orthanc
# 1.10 misreads a comma-separated list and answers 400.
#: The frames as stored (compressed or not), one part per frame.
FRAMES_ACCEPT_STORED = (
    f'{MULTIPART_RELATED}; type="{OCTET_STREAM}"; transfer-syntax={ANY_TRANSFER_SYNTAX}'
)
#: The frames in the default syntax of application/octet-stream, Explicit VR Little
#: Endian (PS3.18 8.7.3), transcoded by the server. The parameter is left out rather
#: than spelled: every WADO-RS server knows this form, and Orthanc 1.10 answers it
#: with Explicit VR Little Endian, big endian and deflated files included.
FRAMES_ACCEPT_DEFAULT = f'{MULTIPART_RELATED}; type="{OCTET_STREAM}"'
#: Whole instances as Part 10 files in their stored syntax (PS3.18 8.7.3.5.3); the
#: only form in which Orthanc 1.10 retrieves a whole series.
INSTANCES_ACCEPT_STORED = (
    f'{MULTIPART_RELATED}; type="{DICOM}"; transfer-syntax={ANY_TRANSFER_SYNTAX}'
)

TRANSFER_SYNTAX_NAMES: Mapping[str, str] = MappingProxyType(
    {
        IMPLICIT_VR_LITTLE_ENDIAN: "Implicit VR Little Endian",
        EXPLICIT_VR_LITTLE_ENDIAN: "Explicit VR Little Endian",
        DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN: "Deflated Explicit VR Little Endian",
        EXPLICIT_VR_BIG_ENDIAN: "Explicit VR Big Endian",
        JPEG_BASELINE_8BIT: "JPEG Baseline (8-bit)",
        JPEG_EXTENDED_12BIT: "JPEG Extended (12-bit)",
        JPEG_LOSSLESS: "JPEG Lossless",
        JPEG_LOSSLESS_SV1: "JPEG Lossless, first-order prediction",
        JPEG_LS_LOSSLESS: "JPEG-LS Lossless",
        JPEG_LS_NEAR_LOSSLESS: "JPEG-LS Near-Lossless",
        JPEG_2000_LOSSLESS: "JPEG 2000 Lossless",
        JPEG_2000: "JPEG 2000",
        RLE_LOSSLESS: "RLE Lossless",
    }
)

#: What the viewer decodes in the browser without extra codecs: pydicom's native and
#: RLE decoders and Pillow's 8-bit JPEG.
DEFAULT_DECODABLE: frozenset[str] = frozenset(
    {
        EXPLICIT_VR_LITTLE_ENDIAN,
        IMPLICIT_VR_LITTLE_ENDIAN,
        RLE_LOSSLESS,
        JPEG_BASELINE_8BIT,
    }
)

#: The transfer syntax a bulk data part has when its Content-Type names none: the
#: default of each media type in PS3.18 8.7.3.
DEFAULT_TRANSFER_SYNTAX: Mapping[str, str] = MappingProxyType(
    {
        OCTET_STREAM: EXPLICIT_VR_LITTLE_ENDIAN,
        IMAGE_JPEG: JPEG_LOSSLESS_SV1,
        IMAGE_JLS: JPEG_LS_LOSSLESS,
        IMAGE_JP2: JPEG_2000_LOSSLESS,
        IMAGE_DICOM_RLE: RLE_LOSSLESS,
    }
)

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_DICOM_MAGIC = b"DICM"
_DICOM_PREAMBLE_LENGTH = 128


def transfer_syntax_name(uid: str) -> str:
    """Return a readable name for a transfer syntax UID, or the UID itself."""
    return TRANSFER_SYNTAX_NAMES.get(uid, uid)


@dataclass(frozen=True, slots=True)
class MediaType:
    """A parsed Content-Type or Accept value: ``type/subtype`` plus parameters.

    ``essence`` and parameter names are lower-case; parameter values keep their case
    and have their quotes removed.
    """

    essence: str
    params: Mapping[str, str]

    def param(self, name: str) -> str | None:
        """Return the value of parameter ``name`` (any case), or None."""
        return self.params.get(name.lower())

    @property
    def transfer_syntax(self) -> str | None:
        """The ``transfer-syntax`` parameter (PS3.18 8.7.3), if any."""
        return self.param("transfer-syntax")


def parse_media_type(value: str) -> MediaType:
    """Parse ``type/subtype; name=value; name="quoted value"`` (RFC 9110 8.3.1).

    Quoted values may contain ``;`` and backslash escapes, as the ``type`` parameter of
    ``multipart/related`` does (``type="image/jls; transfer-syntax=..."``). Parameters
    without ``=`` are ignored. A value that is not a media type gives an empty essence.
    """
    pieces = _split_unquoted(value, ";")
    essence = pieces[0].strip().lower()
    params: dict[str, str] = {}
    for piece in pieces[1:]:
        name, sep, raw = piece.partition("=")
        if not sep:
            continue
        params[name.strip().lower()] = _unquote(raw.strip())

    if "/" not in essence:
        essence = ""
    return MediaType(essence, MappingProxyType(params))


def sniff_image_type(data: bytes) -> str | None:
    """Return IMAGE_JPEG or IMAGE_PNG from the leading bytes, or None.

    Rendered answers are sniffed because their labels are unreliable: Orthanc 1.10
    labels the JPEG it returns for WADO-URI ``contentType=image/jpeg`` as image/png.
    """
    if data.startswith(_JPEG_MAGIC):
        return IMAGE_JPEG

    if data.startswith(_PNG_MAGIC):
        return IMAGE_PNG

    return None


def looks_like_part10(data: bytes) -> bool:
    """Tell whether ``data`` starts with a DICOM File Format preamble (PS3.10 7.1)."""
    end = _DICOM_PREAMBLE_LENGTH + len(_DICOM_MAGIC)
    return data[_DICOM_PREAMBLE_LENGTH:end] == _DICOM_MAGIC


def _split_unquoted(value: str, separator: str) -> list[str]:
    """Split ``value`` at ``separator`` where it is outside double quotes."""
    pieces: list[str] = []
    current: list[str] = []
    quoted = False
    escaped = False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif quoted and char == "\\":
            current.append(char)
            escaped = True
        elif char == '"':
            current.append(char)
            quoted = not quoted
        elif char == separator and not quoted:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)

    pieces.append("".join(current))
    return pieces


def _unquote(value: str) -> str:
    """Remove the quotes and backslash escapes of an RFC 9110 quoted-string."""
    if len(value) < 2 or not (value.startswith('"') and value.endswith('"')):
        return value

    inner = value[1:-1]
    result: list[str] = []
    escaped = False
    for char in inner:
        if escaped:
            result.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            result.append(char)
    return "".join(result)
