"""What a frame's pixels are: one immutable record read from DICOM JSON or pydicom.

:class:`PixelDescription` gathers the Image Pixel module (PS3.3 C.7.6.3), the rescale
of the Modality LUT module (C.11.1) and the windows of the VOI LUT module (C.11.2).
Both constructors share one set of rules, so an instance described by WADO-RS
metadata and the same instance read from a Part 10 file give equal records.

Required attributes that are absent raise :class:`MissingAttribute`; values that are
not numbers, or break a rule of the standard, raise :class:`InvalidAttribute`. The
record states facts only; the decoder and the pipeline say what they do not support.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import tags
from .errors import InvalidAttribute, MissingAttribute
from .tags import Tag
from .window import VOI_FUNCTIONS, VoiFunction, Window

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

logger = logging.getLogger(__name__)

MONOCHROME1 = "MONOCHROME1"
MONOCHROME2 = "MONOCHROME2"
PALETTE_COLOR = "PALETTE COLOR"
RGB = "RGB"
YBR_FULL = "YBR_FULL"
YBR_FULL_422 = "YBR_FULL_422"

_SOURCE_METADATA = "metadata"
_SOURCE_DATASET = "dataset"

#: Reads the values of one attribute: a list, or None when absent or empty.
_ValueReader = Callable[[Tag], "list[Any] | None"]


@dataclass(frozen=True, slots=True)
class PixelDescription:
    """The pixel format and display attributes of one image instance.

    ``windows`` keeps every (0028,1050)/(0028,1051) pair in order; the first is the
    default (PS3.3 C.11.2.1.2). ``pixel_spacing`` is (row spacing, column spacing)
    in mm, i.e. the vertical then the horizontal distance between pixel centres.
    """

    rows: int
    columns: int
    samples_per_pixel: int
    photometric_interpretation: str
    bits_allocated: int
    bits_stored: int
    high_bit: int
    pixel_representation: int
    planar_configuration: int = 0
    number_of_frames: int = 1
    rescale_slope: float = 1.0
    rescale_intercept: float = 0.0
    windows: tuple[Window, ...] = ()
    window_explanations: tuple[str, ...] = ()
    voi_lut_function: VoiFunction = "LINEAR"
    pixel_spacing: tuple[float, float] | None = None
    modality: str = ""
    has_palette_lut: bool = False
    has_modality_lut_sequence: bool = False
    has_voi_lut_sequence: bool = False

    @classmethod
    def from_json(cls, attributes: Mapping[str, Any]) -> PixelDescription:
        """Read a PS3.18 F.2 DICOM JSON dataset (WADO-RS metadata of one instance)."""
        return _describe(_json_reader(attributes), _SOURCE_METADATA)

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> PixelDescription:
        """Read a pydicom ``Dataset`` (for example a Part 10 file from WADO-URI)."""
        return _describe(_dataset_reader(dataset), _SOURCE_DATASET)

    @property
    def is_signed(self) -> bool:
        """True for two's complement pixels, (0028,0103) Pixel Representation 1."""
        return self.pixel_representation == 1

    @property
    def is_monochrome(self) -> bool:
        """True for MONOCHROME1 and MONOCHROME2, the images windowing applies to."""
        return self.photometric_interpretation in (MONOCHROME1, MONOCHROME2)

    @property
    def stored_range(self) -> tuple[int, int]:
        """The lowest and highest value (0028,0101) Bits Stored can hold."""
        if self.is_signed:
            half = 1 << (self.bits_stored - 1)
            return -half, half - 1

        return 0, (1 << self.bits_stored) - 1

    @property
    def aspect_ratio(self) -> float:
        """Height over width of one pixel on screen: row over column spacing."""
        if self.pixel_spacing is None:
            return 1.0

        row_spacing, column_spacing = self.pixel_spacing
        return row_spacing / column_spacing


def _describe(read: _ValueReader, source: str) -> PixelDescription:
    """Apply the standard's rules to the values ``read`` returns."""
    rows = _required_int(read, tags.ROWS, source, minimum=1)
    columns = _required_int(read, tags.COLUMNS, source, minimum=1)
    samples = _required_int(read, tags.SAMPLES_PER_PIXEL, source, minimum=1)
    photometric = _required_text(read, tags.PHOTOMETRIC_INTERPRETATION, source)
    bits_allocated = _required_int(read, tags.BITS_ALLOCATED, source, minimum=1)
    bits_stored = _required_int(read, tags.BITS_STORED, source, minimum=1)
    if bits_stored > bits_allocated:
        raise InvalidAttribute(
            tags.BITS_STORED,
            bits_stored,
            f"it cannot exceed {tags.describe(tags.BITS_ALLOCATED)}, {bits_allocated}",
        )

    # PS3.3 C.7.6.3.1: High Bit is one less than Bits Stored; other layouts are
    # retired (PS3.5 8.1.1), so a missing High Bit is derived rather than refused.
    high_bit = _optional_int(read, tags.HIGH_BIT, default=bits_stored - 1)
    if high_bit != bits_stored - 1:
        raise InvalidAttribute(
            tags.HIGH_BIT,
            high_bit,
            f"it must be one less than {tags.describe(tags.BITS_STORED)}, "
            f"{bits_stored} (PS3.3 C.7.6.3.1)",
        )

    pixel_representation = _required_int(read, tags.PIXEL_REPRESENTATION, source)
    _check_choice(tags.PIXEL_REPRESENTATION, pixel_representation, (0, 1))

    # Type 1C, present when Samples per Pixel > 1; 0 (interleaved) otherwise.
    planar = _optional_int(read, tags.PLANAR_CONFIGURATION, default=0)
    _check_choice(tags.PLANAR_CONFIGURATION, planar, (0, 1))

    frames = _optional_int(read, tags.NUMBER_OF_FRAMES, default=1, minimum=1)

    windows, explanations = _windows(read, source)
    return PixelDescription(
        rows=rows,
        columns=columns,
        samples_per_pixel=samples,
        photometric_interpretation=photometric,
        bits_allocated=bits_allocated,
        bits_stored=bits_stored,
        high_bit=high_bit,
        pixel_representation=pixel_representation,
        planar_configuration=planar,
        number_of_frames=frames,
        rescale_slope=_optional_float(read, tags.RESCALE_SLOPE, default=1.0),
        rescale_intercept=_optional_float(read, tags.RESCALE_INTERCEPT, default=0.0),
        windows=windows,
        window_explanations=explanations,
        voi_lut_function=_voi_function(read),
        pixel_spacing=_pixel_spacing(read),
        modality=_optional_text(read, tags.MODALITY),
        has_palette_lut=any(
            read(tag) is not None
            for tag in (
                tags.RED_PALETTE_LUT_DESCRIPTOR,
                tags.GREEN_PALETTE_LUT_DESCRIPTOR,
                tags.BLUE_PALETTE_LUT_DESCRIPTOR,
            )
        ),
        has_modality_lut_sequence=read(tags.MODALITY_LUT_SEQUENCE) is not None,
        has_voi_lut_sequence=read(tags.VOI_LUT_SEQUENCE) is not None,
    )


def _windows(
    read: _ValueReader, source: str
) -> tuple[tuple[Window, ...], tuple[str, ...]]:
    """Pair (0028,1050) centers with (0028,1051) widths (PS3.3 C.11.2.1.2)."""
    centers = [_as_float(v, tags.WINDOW_CENTER) for v in read(tags.WINDOW_CENTER) or []]
    widths = [_as_float(v, tags.WINDOW_WIDTH) for v in read(tags.WINDOW_WIDTH) or []]
    explanations = [str(v) for v in read(tags.WINDOW_EXPLANATION) or []]
    if len(centers) != len(widths):
        # Both have the same multiplicity by the standard; pair what pairs.
        logger.warning(
            "The %s has %d window centers and %d widths; using the first %d pairs",
            source,
            len(centers),
            len(widths),
            min(len(centers), len(widths)),
        )

    windows: list[Window] = []
    kept: list[str] = []
    for index, (center, width) in enumerate(zip(centers, widths, strict=False)):
        # A LINEAR window needs width >= 1 (C.11.2.1.2.1). Files with width 0 exist;
        # dropping the window lets the viewer fall back to the next or to min/max.
        if width < 1:
            logger.warning(
                "Ignoring window %d of the %s: width %r is below 1",
                index,
                source,
                width,
            )
            continue

        windows.append(Window(center, width))
        kept.append(explanations[index] if index < len(explanations) else "")

    return tuple(windows), tuple(kept)


def _voi_function(read: _ValueReader) -> VoiFunction:
    text = _optional_text(read, tags.VOI_LUT_FUNCTION) or "LINEAR"
    if text not in VOI_FUNCTIONS:
        raise InvalidAttribute(
            tags.VOI_LUT_FUNCTION,
            text,
            f"PS3.3 C.11.2.1.3 defines only {', '.join(VOI_FUNCTIONS)}",
        )

    return text


def _pixel_spacing(read: _ValueReader) -> tuple[float, float] | None:
    values = read(tags.PIXEL_SPACING)
    if values is None:
        return None

    spacing = [_as_float(v, tags.PIXEL_SPACING) for v in values]
    if len(spacing) != 2 or min(spacing) <= 0:
        raise InvalidAttribute(
            tags.PIXEL_SPACING, values, "it must be two distances above 0 (row\\column)"
        )

    return spacing[0], spacing[1]


def _required_int(read: _ValueReader, tag: Tag, source: str, minimum: int = 0) -> int:
    values = read(tag)
    if values is None:
        raise MissingAttribute(tag, source)

    return _checked_int(values[0], tag, minimum)


def _optional_int(
    read: _ValueReader, tag: Tag, *, default: int, minimum: int = 0
) -> int:
    values = read(tag)
    if values is None:
        return default

    return _checked_int(values[0], tag, minimum)


def _checked_int(value: object, tag: Tag, minimum: int) -> int:
    number = _as_int(value, tag)
    if number < minimum:
        raise InvalidAttribute(tag, value, f"it must be at least {minimum}")

    return number


def _optional_float(read: _ValueReader, tag: Tag, *, default: float) -> float:
    values = read(tag)
    if values is None:
        return default

    return _as_float(values[0], tag)


def _required_text(read: _ValueReader, tag: Tag, source: str) -> str:
    text = _optional_text(read, tag)
    if not text:
        raise MissingAttribute(tag, source)

    return text


def _optional_text(read: _ValueReader, tag: Tag) -> str:
    values = read(tag)
    if values is None or not isinstance(values[0], str):
        return ""

    return values[0].strip().upper()


def _as_int(value: object, tag: Tag) -> int:
    """An IS or US value; text is accepted because some servers send IS as strings."""
    if isinstance(value, bool):
        raise InvalidAttribute(tag, value, "it must be an integer")

    if isinstance(value, int):
        return value

    if isinstance(value, float) and value.is_integer():
        return int(value)

    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass

    raise InvalidAttribute(tag, value, "it must be an integer")


def _as_float(value: object, tag: Tag) -> float:
    """A DS value: a JSON number by PS3.18 F.2.3, or text as some servers send it."""
    if isinstance(value, bool):
        raise InvalidAttribute(tag, value, "it must be a decimal number")

    number: float | None = None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None

    if number is None or not math.isfinite(number):
        raise InvalidAttribute(tag, value, "it must be a decimal number")

    return number


def _check_choice(tag: Tag, value: int, allowed: Sequence[int]) -> None:
    if value not in allowed:
        choices = " or ".join(str(a) for a in allowed)
        raise InvalidAttribute(tag, value, f"it must be {choices}")


def _json_reader(attributes: Mapping[str, Any]) -> _ValueReader:
    """Values of a DICOM JSON attribute (PS3.18 F.2.2): its "Value" array."""
    if not isinstance(attributes, Mapping):
        raise TypeError(
            "DICOM JSON metadata must be an object of attributes, got "
            f"{type(attributes).__name__}."
        )

    def read(tag: Tag) -> list[Any] | None:
        element = attributes.get(tag.key)
        if not isinstance(element, Mapping):
            return None

        values = element.get("Value")
        if not isinstance(values, list) or not values or values[0] is None:
            return None

        return values

    return read


def _dataset_reader(dataset: Dataset) -> _ValueReader:
    """Values of a pydicom element: multi-valued elements become lists."""

    def read(tag: Tag) -> list[Any] | None:
        value = dataset.get(tag.keyword)
        if value is None or value == "":
            return None

        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            return [value]

        values = list(value)
        return values or None

    return read
