"""Decoded pixels -> RGBA bytes for a canvas ``ImageData``, in the standard's order.

Grey images go through the steps of PS3.4 N.2.1 (PS3.3 C.11):

1. modality LUT: ``value = stored * (0028,1053) Rescale Slope + (0028,1052)
   Rescale Intercept`` (C.11.1.1.2);
2. VOI: a window with the (0028,1056) VOI LUT Function, LINEAR (C.11.2.1.2.1),
   LINEAR_EXACT (C.11.2.1.3.2) or SIGMOID (C.11.2.1.3.1), evaluated with the
   output range ``ymin = 0``, ``ymax = 255``, which gives a level ``y`` in [0, 255];
3. presentation: MONOCHROME1 shows its lowest value white, so ``y = 255 - y``
   (C.7.6.3.1.2); the user's "invert" flips it once more;
4. 8 bits: ``floor(y + 0.5)``, i.e. the nearest integer with halves rounded up.

Colour images skip all four: 8-bit samples are copied as they are, wider ones keep
their top 8 stored bits; a window is applied to them only when asked.

The fast path does not run those steps per frame. For 8- and 16-bit pixels it
evaluates them once for every value the pixel type can hold, packs the grey levels
as RGBA words (a lookup table cached per window, rescale and presentation), and
indexes that table with the frame straight into the output buffer. With a
reused ``out`` buffer a window/level drag allocates nothing per redraw.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import tags
from .decode import Pixels
from .description import MONOCHROME1, MONOCHROME2, PALETTE_COLOR, PixelDescription
from .errors import UnsupportedImage
from .window import VoiFunction, Window

logger = logging.getLogger(__name__)

#: RGBA pixels, shape (rows, columns, 4), dtype uint8, C order: ``rgba.reshape(-1)``
#: (or ``memoryview(rgba)``) is what ``ImageData`` holds.
Rgba = NDArray[np.uint8]
Levels = NDArray[np.float64]

Y_MIN = 0.0
Y_MAX = 255.0
_OPAQUE = 255

#: Lookup tables kept: one per window, so a drag that comes back finds its tables.
LUT_CACHE_SIZE = 16


def new_rgba_buffer(rows: int, columns: int) -> Rgba:
    """An output buffer for :func:`render_rgba` to reuse frame after frame."""
    return np.empty((rows, columns, 4), dtype=np.uint8)


def apply_modality_lut(pixels: Pixels, description: PixelDescription) -> Levels:
    """Stored values -> modality values (Hounsfield units for CT), PS3.3 C.11.1.

    Raises :class:`UnsupportedImage` when the image has a (0028,3000) Modality LUT
    Sequence instead of a rescale.
    """
    _check_rescale_only(description)
    return _rescale(pixels, description.rescale_slope, description.rescale_intercept)


def apply_voi(
    values: Levels, window: Window, function: VoiFunction = "LINEAR"
) -> Levels:
    """Modality values -> levels in [0, 255] through a window (PS3.3 C.11.2.1).

    The formulas are the standard's with ``ymin = 0`` and ``ymax = 255``.
    """
    center, width = window.center, window.width
    span = Y_MAX - Y_MIN
    if function == "LINEAR":
        if width < 1:
            raise ValueError(
                f"A LINEAR window needs a width of at least 1, got {width}."
            )

        if width == 1:
            # (w - 1) is 0: every value is at or below c - 0.5, or above it.
            return np.where(values <= center - 0.5, Y_MIN, Y_MAX)

        levels = ((values - (center - 0.5)) / (width - 1) + 0.5) * span + Y_MIN
    elif function == "LINEAR_EXACT":
        levels = ((values - center) / width + 0.5) * span + Y_MIN
    else:
        with np.errstate(over="ignore"):
            # exp overflows to inf far below the center; 1 / inf is the wanted 0.
            levels = span / (1 + np.exp(-4 * (values - center) / width)) + Y_MIN

    # Clipping is the standard's "if x <= lower then ymin, if x > upper then ymax".
    clipped: Levels = np.clip(levels, Y_MIN, Y_MAX)
    return clipped


def apply_presentation(
    levels: Levels, description: PixelDescription, *, invert: bool = False
) -> Levels:
    """Flip levels for MONOCHROME1 (lowest value white, PS3.3 C.7.6.3.1.2), and
    once more when the user asked to invert."""
    if (description.photometric_interpretation == MONOCHROME1) != invert:
        flipped: Levels = Y_MAX - levels
        return flipped

    return levels


def to_8bit(levels: Levels) -> NDArray[np.uint8]:
    """Levels in [0, 255] -> bytes: the nearest integer, halves rounded up."""
    grey: NDArray[np.uint8] = np.floor(levels + 0.5).astype(np.uint8)
    return grey


def grey_levels(
    pixels: Pixels,
    description: PixelDescription,
    window: Window,
    *,
    function: VoiFunction | None = None,
    invert: bool = False,
) -> NDArray[np.uint8]:
    """The direct path: every step on every pixel, 8-bit grey levels out.

    :func:`render_rgba` gives the same levels through its lookup table.
    """
    _check_grey(description)
    values = apply_modality_lut(pixels, description)
    levels = apply_voi(values, window, function or description.voi_lut_function)
    return to_8bit(apply_presentation(levels, description, invert=invert))


def _rescale(pixels: Pixels, slope: float, intercept: float) -> Levels:
    values = pixels.astype(np.float64)
    values *= slope
    values += intercept
    return values


def default_window(description: PixelDescription, pixels: Pixels) -> Window:
    """The window to show an image with before the user picks one.

    The first (0028,1050)/(0028,1051) pair, the default by PS3.3 C.11.2.1.2; for an
    image without one, :func:`min_max_window` of ``pixels``.
    """
    if description.windows:
        return description.windows[0]

    return min_max_window(pixels, description)


def min_max_window(pixels: Pixels, description: PixelDescription) -> Window:
    """A LINEAR window from the frame's lowest to its highest modality value.

    The lowest value maps to 0 and the highest to 255: ``w = max - min + 1`` and
    ``c = (min + max) / 2 + 0.5`` in C.11.2.1.2.1's formula. A flat frame gets
    width 1.
    """
    ends = np.array([pixels.min(), pixels.max()])
    low, high = sorted(apply_modality_lut(ends, description).tolist())
    return Window(center=(low + high) / 2 + 0.5, width=high - low + 1)


def render_rgba(
    pixels: Pixels,
    description: PixelDescription,
    window: Window | None = None,
    *,
    function: VoiFunction | None = None,
    invert: bool = False,
    window_colour: bool = False,
    out: Rgba | None = None,
) -> Rgba:
    """Decoded pixels -> opaque RGBA, shape (rows, columns, 4), uint8.

    ``window`` None on a grey image means :func:`min_max_window`; ``function``
    None means the image's (0028,1056) VOI LUT Function. Colour images ignore
    ``window``, ``function`` and ``invert`` unless ``window_colour`` is set; then
    the window is applied to each sample. ``out``, when given, is filled and
    returned; it must be C-ordered uint8 of the result's shape.
    """
    rows, columns = pixels.shape[:2]
    target = _output(out, rows, columns)
    if pixels.ndim == 3:
        return _colour_rgba(
            pixels,
            description,
            window if window_colour else None,
            function,
            invert,
            target,
        )

    _check_grey(description)
    if window is None:
        window = min_max_window(pixels, description)

    function = function or description.voi_lut_function
    if pixels.dtype.kind in "iu" and pixels.dtype.itemsize <= 2:
        lut = rgba_lut(
            pixels.dtype.str,
            description.rescale_slope,
            description.rescale_intercept,
            window,
            function,
            description.photometric_interpretation == MONOCHROME1,
            invert,
        )
        indices = pixels.view(_unsigned(pixels.dtype))
        np.take(
            lut, indices, out=target.view("<u4").reshape(rows, columns), mode="clip"
        )
        return target

    grey = grey_levels(pixels, description, window, function=function, invert=invert)
    _write_grey(grey, target)
    return target


@functools.lru_cache(maxsize=LUT_CACHE_SIZE)
def rgba_lut(
    dtype: str,
    rescale_slope: float,
    rescale_intercept: float,
    window: Window,
    function: VoiFunction,
    monochrome1: bool,
    invert: bool,
) -> NDArray[np.uint32]:
    """Packed RGBA words for every value of an 8- or 16-bit integer ``dtype``.

    Entry ``i`` is the word for the pixel whose bits, read unsigned, are ``i``
    (so a signed frame indexes it through an unsigned view). Read-only: cached.
    """
    # The same three steps as grey_levels, on every value the type can hold.
    stored = np.arange(1 << (8 * np.dtype(dtype).itemsize), dtype=_unsigned(dtype))
    values = _rescale(stored.view(dtype), rescale_slope, rescale_intercept)
    levels = apply_voi(values, window, function)
    if monochrome1 != invert:
        levels = Y_MAX - levels
    words = _rgba_words(to_8bit(levels))
    words.flags.writeable = False
    return words


def _rgba_words(grey: NDArray[np.uint8]) -> NDArray[np.uint32]:
    """Grey levels as little-endian RGBA words: bytes R, G, B, A = g, g, g, 255."""
    level = grey.astype("<u4")
    words: NDArray[np.uint32] = (
        level | (level << 8) | (level << 16) | np.uint32(_OPAQUE << 24)
    )
    return words.astype("<u4", copy=False)


def _colour_rgba(
    pixels: Pixels,
    description: PixelDescription,
    window: Window | None,
    function: VoiFunction | None,
    invert: bool,
    target: Rgba,
) -> Rgba:
    if pixels.shape[2] != 3:
        raise UnsupportedImage(
            f"Colour pixels with {pixels.shape[2]} samples are not supported"
        )

    if window is not None:
        # No modality LUT for colour (PS3.3 C.11.1 applies to grey images).
        levels = apply_voi(pixels.astype(np.float64), window, function or "LINEAR")
        if invert:
            levels = Y_MAX - levels
        target[..., :3] = to_8bit(levels)
    elif pixels.dtype == np.uint8:
        target[..., :3] = pixels
    else:
        # Keep the top 8 of the stored bits.
        shift = max(description.bits_stored - 8, 0)
        target[..., :3] = pixels >> shift

    target[..., 3] = _OPAQUE
    return target


def _write_grey(grey: NDArray[np.uint8], target: Rgba) -> None:
    target[..., :3] = grey[..., np.newaxis]
    target[..., 3] = _OPAQUE


def _check_grey(description: PixelDescription) -> None:
    _check_rescale_only(description)
    photometric = description.photometric_interpretation
    if photometric == PALETTE_COLOR:
        raise UnsupportedImage(
            f"{tags.describe(tags.PHOTOMETRIC_INTERPRETATION)} 'PALETTE COLOR' is not "
            "supported"
        )

    if photometric not in (MONOCHROME1, MONOCHROME2):
        raise UnsupportedImage(
            f"{tags.describe(tags.PHOTOMETRIC_INTERPRETATION)} {photometric!r} with one "
            "sample per pixel is not supported"
        )


def _check_rescale_only(description: PixelDescription) -> None:
    if description.has_modality_lut_sequence:
        raise UnsupportedImage(
            f"{tags.describe(tags.MODALITY_LUT_SEQUENCE)} is not supported; only "
            "Rescale Slope and Intercept are applied"
        )


def _output(out: Rgba | None, rows: int, columns: int) -> Rgba:
    if out is None:
        return new_rgba_buffer(rows, columns)

    if (
        out.shape != (rows, columns, 4)
        or out.dtype != np.uint8
        or not out.flags.c_contiguous
    ):
        raise ValueError(
            f"The output buffer must be C-ordered uint8 of shape ({rows}, {columns}, 4); "
            f"got {out.dtype} {out.shape}. Make one with new_rgba_buffer()."
        )

    return out


def _unsigned(dtype: Any) -> np.dtype[Any]:
    """The unsigned integer dtype of the same size and byte order."""
    return np.dtype(np.dtype(dtype).str.replace("i", "u"))
