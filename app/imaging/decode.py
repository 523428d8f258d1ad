"""One frame's bytes plus its :class:`PixelDescription` -> a numpy array.

The result is ``(rows, columns)`` for grey and palette images and ``(rows, columns,
3)`` RGB for colour ones, with the dtype (0028,0100) Bits Allocated and (0028,0103)
Pixel Representation call for: ``uint8``/``int8``, ``uint16``/``int16`` or
``uint32``/``int32``. Bits above (0028,0101) Bits Stored are cleared, or filled
with the sign bit for signed pixels, as pydicom does (PS3.5 8.1.1).

Native frames (Explicit and Implicit VR Little Endian, as WADO-RS sends them) are
read here with numpy. Compressed frames go to pydicom's decoders, which need
Pillow for JPEG; :func:`decodable_transfer_syntaxes` tells what this runtime can
decode, to pass to the DICOMweb client. pydicom is imported on first use, not with
this module: importing it costs about half a second in the browser.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from app.dicomweb import media

from . import tags
from .description import (
    MONOCHROME1,
    MONOCHROME2,
    PALETTE_COLOR,
    RGB,
    YBR_FULL,
    YBR_FULL_422,
    PixelDescription,
)
from .errors import (
    CorruptFrame,
    ImagingError,
    UnsupportedImage,
    UnsupportedTransferSyntax,
)

if TYPE_CHECKING:
    from pydicom.pixels.decoders.base import Decoder

logger = logging.getLogger(__name__)

#: A decoded frame: integers, (rows, columns) or (rows, columns, 3).
Pixels = NDArray[Any]

#: Frames in these syntaxes are the pixels themselves, little endian (PS3.5 8.1.1).
NATIVE_LITTLE_ENDIAN: frozenset[str] = frozenset(
    {media.EXPLICIT_VR_LITTLE_ENDIAN, media.IMPLICIT_VR_LITTLE_ENDIAN}
)

#: Compressed syntaxes worth asking pydicom about, in the order of PS3.6 Table A-1.
_COMPRESSED = (
    media.JPEG_BASELINE_8BIT,
    media.JPEG_EXTENDED_12BIT,
    media.JPEG_LOSSLESS,
    media.JPEG_LOSSLESS_SV1,
    media.JPEG_LS_LOSSLESS,
    media.JPEG_LS_NEAR_LOSSLESS,
    media.JPEG_2000_LOSSLESS,
    media.JPEG_2000,
    media.RLE_LOSSLESS,
)

_PILLOW = "pillow"
_GREY = (MONOCHROME1, MONOCHROME2, PALETTE_COLOR)
_COLOUR = (RGB, YBR_FULL, YBR_FULL_422)
_BITS_ALLOCATED = (8, 16, 32)


def decodable_transfer_syntaxes() -> frozenset[str]:
    """The transfer syntaxes :func:`decode_frame` can decode in this runtime.

    Native little endian always; RLE Lossless always (pydicom decodes it with
    numpy); the others when pydicom finds a plugin for them, e.g. JPEG Baseline
    when Pillow is installed. JPEG Extended is left out when Pillow is its only
    decoder, because Pillow cannot decode its 12-bit form.
    """
    found = set(NATIVE_LITTLE_ENDIAN)
    for uid in _COMPRESSED:
        decoder = _decoder(uid)
        if decoder is None or not decoder.is_available:
            continue

        if uid == media.JPEG_EXTENDED_12BIT and decoder.available_plugins == (_PILLOW,):
            continue

        found.add(uid)

    return frozenset(found)


def decode_frame(
    data: bytes | bytearray | memoryview,
    description: PixelDescription,
    transfer_syntax_uid: str,
) -> Pixels:
    """Decode one frame as WADO-RS sends it (PS3.18 8.7.3) into pixels.

    Raises :class:`UnsupportedTransferSyntax` when no decoder is available,
    :class:`UnsupportedImage` for pixel formats the viewer does not handle and
    :class:`CorruptFrame` when the bytes do not hold the described image.
    """
    if transfer_syntax_uid in NATIVE_LITTLE_ENDIAN:
        return decode_native(data, description)

    return decode_compressed(data, description, transfer_syntax_uid)


def native_frame_length(description: PixelDescription) -> int:
    """Bytes in one native frame; YBR_FULL_422 holds two samples a pixel (PS3.3
    C.7.6.3.1.2). Raises :class:`UnsupportedImage` for formats not decoded here."""
    check_native_support(description)
    samples = description.samples_per_pixel
    if description.photometric_interpretation == YBR_FULL_422:
        samples = 2

    pixels = description.rows * description.columns
    return pixels * samples * description.bits_allocated // 8


def check_native_support(description: PixelDescription) -> None:
    """Raise :class:`UnsupportedImage` unless :func:`decode_native` handles it."""
    photometric = description.photometric_interpretation
    bits = description.bits_allocated
    if bits == 1:
        raise UnsupportedImage(
            f"{tags.describe(tags.BITS_ALLOCATED)} 1 (bit-packed pixels, as in "
            "segmentations) is not supported"
        )

    if bits not in _BITS_ALLOCATED:
        raise UnsupportedImage(
            f"{tags.describe(tags.BITS_ALLOCATED)} {bits} is not supported; "
            "the viewer reads 8, 16 and 32"
        )

    samples = description.samples_per_pixel
    allowed = {1: _GREY, 3: _COLOUR}.get(samples)
    if allowed is None:
        raise UnsupportedImage(
            f"{tags.describe(tags.SAMPLES_PER_PIXEL)} {samples} is not supported; "
            "the viewer reads 1 (grey or palette) and 3 (colour)"
        )

    if photometric not in allowed:
        raise UnsupportedImage(
            f"{tags.describe(tags.PHOTOMETRIC_INTERPRETATION)} {photometric!r} with "
            f"{samples} sample(s) per pixel is not supported in native pixel data"
        )

    if photometric in (YBR_FULL, YBR_FULL_422) and bits != 8:
        raise UnsupportedImage(
            f"{photometric} with {tags.describe(tags.BITS_ALLOCATED)} {bits} is not "
            "supported; only 8-bit YCbCr is converted to RGB"
        )

    if photometric == YBR_FULL_422 and (
        description.columns % 2 or description.planar_configuration
    ):
        raise UnsupportedImage(
            "YBR_FULL_422 is only supported with an even number of columns and "
            f"{tags.describe(tags.PLANAR_CONFIGURATION)} 0 (PS3.3 C.7.6.3.1.2)"
        )


def decode_native(
    data: bytes | bytearray | memoryview, description: PixelDescription
) -> Pixels:
    """Read native little-endian pixels (PS3.5 8.1.1, 8.2) into an array.

    The array may share memory with ``data`` and then is read-only; copy it to
    change it.
    """
    expected = native_frame_length(description)
    got = memoryview(data).nbytes
    # A frame of odd length may carry the pad byte of PS3.5 7.1.1; more is wrong.
    if got < expected or got > expected + (expected % 2):
        raise CorruptFrame(
            f"A native frame of {description.rows}x{description.columns} pixels, "
            f"{description.samples_per_pixel} sample(s) of "
            f"{description.bits_allocated} bits, needs {expected} bytes; "
            f"expected {expected} bytes, got {got}"
        )

    if description.photometric_interpretation == YBR_FULL_422:
        from pydicom.pixels.utils import expand_ybr422

        data = expand_ybr422(bytes(memoryview(data)[:expected]), 8)

    count = description.rows * description.columns * description.samples_per_pixel
    pixels = np.frombuffer(data, dtype=pixel_dtype(description), count=count)
    pixels = fit_to_bits_stored(pixels, description)
    pixels = _shape(pixels, description)
    if description.photometric_interpretation in (YBR_FULL, YBR_FULL_422):
        pixels = _ybr_to_rgb(pixels)

    return pixels


def decode_compressed(
    data: bytes | bytearray | memoryview,
    description: PixelDescription,
    transfer_syntax_uid: str,
) -> Pixels:
    """Decode one compressed frame with pydicom's decoder for its syntax.

    YCbCr colour comes back as RGB (pydicom's default); bits above Bits Stored are
    fitted as for native frames.
    """
    decoder = _usable_decoder(transfer_syntax_uid, description)
    from pydicom.encaps import encapsulate

    name = media.transfer_syntax_name(transfer_syntax_uid)
    if not len(data):
        raise CorruptFrame(f"A {name} frame is empty: expected some bytes, got 0")

    # pydicom's decoding options (its "Image Pixel" keywords) for a lone frame.
    options: dict[str, Any] = {
        "rows": description.rows,
        "columns": description.columns,
        "samples_per_pixel": description.samples_per_pixel,
        "bits_allocated": description.bits_allocated,
        "bits_stored": description.bits_stored,
        "pixel_representation": description.pixel_representation,
        "photometric_interpretation": description.photometric_interpretation,
        "planar_configuration": description.planar_configuration,
        "number_of_frames": 1,
    }
    try:
        pixels, _ = decoder.as_array(encapsulate([bytes(data)]), index=0, **options)
    except ImagingError:
        raise
    except Exception as exc:
        # pydicom's plugins raise ValueError, RuntimeError and friends on bad input;
        # the traceback helps nobody on the page, the plugin's sentence may.
        raise CorruptFrame(f"A {name} frame could not be decoded: {exc}") from exc

    expected_shape: tuple[int, ...] = (description.rows, description.columns)
    if description.samples_per_pixel > 1:
        expected_shape += (description.samples_per_pixel,)

    if pixels.shape != expected_shape:
        raise CorruptFrame(
            f"A {name} frame decoded to shape {pixels.shape}; expected "
            f"{expected_shape} from Rows, Columns and Samples per Pixel"
        )

    return fit_to_bits_stored(pixels, description)


def pixel_dtype(description: PixelDescription) -> np.dtype[Any]:
    """Little-endian integer dtype for Bits Allocated and Pixel Representation."""
    kind = "i" if description.is_signed else "u"
    return np.dtype(f"<{kind}{description.bits_allocated // 8}")


def fit_to_bits_stored(pixels: Pixels, description: PixelDescription) -> Pixels:
    """Clear the bits above Bits Stored, or copy the sign bit into them.

    PS3.5 8.1.1 leaves the unused high bits undefined (overlays once lived there),
    so they are never trusted. Returns ``pixels`` itself when all bits are used.
    """
    unused = pixels.dtype.itemsize * 8 - description.bits_stored
    if unused <= 0 or pixels.dtype.kind not in "iu":
        return pixels

    if pixels.dtype.kind == "u":
        masked: Pixels = pixels & pixels.dtype.type((1 << description.bits_stored) - 1)
        return masked

    # Shift the sign bit to the top on the unsigned view (defined wrap-around),
    # then back with an arithmetic shift on the signed view.
    fitted = pixels.copy()
    unsigned = fitted.view(pixels.dtype.str.replace("i", "u"))
    np.left_shift(unsigned, unused, out=unsigned)
    np.right_shift(fitted, unused, out=fitted)
    return fitted


def _shape(pixels: Pixels, description: PixelDescription) -> Pixels:
    rows, columns = description.rows, description.columns
    samples = description.samples_per_pixel
    if samples == 1:
        return pixels.reshape(rows, columns)

    if description.planar_configuration == 1:
        # PS3.3 C.7.6.3.1.3: all reds, then all greens, then all blues.
        planes = pixels.reshape(samples, rows, columns)
        return np.ascontiguousarray(planes.transpose(1, 2, 0))

    return pixels.reshape(rows, columns, samples)


def _ybr_to_rgb(pixels: Pixels) -> Pixels:
    from pydicom.pixels.processing import convert_color_space

    # PS3.3 C.7.6.3.1.2: YBR_FULL is YCbCr as in JPEG/JFIF, full range.
    rgb: Pixels = convert_color_space(pixels, YBR_FULL, RGB)
    return rgb


def _decoder(transfer_syntax_uid: str) -> Decoder | None:
    from pydicom.pixels.decoders.base import get_decoder

    try:
        return get_decoder(transfer_syntax_uid)
    except NotImplementedError:
        return None


def _usable_decoder(transfer_syntax_uid: str, description: PixelDescription) -> Decoder:
    if transfer_syntax_uid in (
        media.EXPLICIT_VR_BIG_ENDIAN,
        media.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
    ):
        raise UnsupportedTransferSyntax(
            transfer_syntax_uid,
            "frames are read only in the little-endian native syntaxes; ask the "
            "server for Explicit VR Little Endian (Part 10 files in this syntax "
            "are read)",
        )

    if not transfer_syntax_uid:
        raise UnsupportedTransferSyntax(
            transfer_syntax_uid,
            "the frame came without a transfer syntax to read it by",
        )

    decoder = _decoder(transfer_syntax_uid)
    if decoder is None or not decoder.is_encapsulated:
        raise UnsupportedTransferSyntax(
            transfer_syntax_uid, "pydicom has no decoder for it"
        )

    if not decoder.is_available:
        needs = "; ".join(decoder.missing_dependencies)
        raise UnsupportedTransferSyntax(
            transfer_syntax_uid, f"no decoder for it is installed ({needs})"
        )

    if (
        transfer_syntax_uid == media.JPEG_EXTENDED_12BIT
        and description.bits_stored > 8
        and decoder.available_plugins == (_PILLOW,)
    ):
        raise UnsupportedTransferSyntax(
            transfer_syntax_uid, "Pillow, its only decoder here, cannot decode 12 bits"
        )

    return decoder
