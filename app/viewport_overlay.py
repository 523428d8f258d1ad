"""The text in the viewport's four corners: who, which study, where, and how shown.

Pure formatting over an instance's DICOM JSON (PS3.18 F.2): each corner is a tuple
of lines, and an attribute that is missing or empty leaves its line out, so the
page never shows "None". The view puts the lines over the canvas.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.dicomweb import tags
from app.dicomweb.records import DicomJson, format_date, format_person_name

SLICE_THICKNESS = "00180050"  # (0018,0050) Slice Thickness, mm
SLICE_LOCATION = "00201041"  # (0020,1041) Slice Location, mm


@dataclass(frozen=True, slots=True)
class Overlay:
    """Lines of text for each corner of the viewport, top to bottom."""

    top_left: tuple[str, ...]
    top_right: tuple[str, ...]
    bottom_left: tuple[str, ...]
    bottom_right: tuple[str, ...]

    @property
    def corners(self) -> tuple[tuple[str, ...], ...]:
        """Top left, top right, bottom left, bottom right."""
        return (self.top_left, self.top_right, self.bottom_left, self.bottom_right)


def first_value(attributes: DicomJson, key: str) -> object | None:
    """The first value of the element ``key`` (eight hex digits), or None."""
    element = attributes.get(key)
    values = element.get("Value") if isinstance(element, dict) else None
    if not isinstance(values, list) or not values:
        return None
    value: object = values[0]
    return value


def _text(attributes: DicomJson, key: str) -> str:
    value = first_value(attributes, key)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return ""


def _number(attributes: DicomJson, key: str) -> float | None:
    # DS and IS are JSON numbers (PS3.18 F.2.3), but some servers send strings.
    value = first_value(attributes, key)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _decimal(value: float) -> str:
    """At most two decimals, trailing zeros dropped: 400.0 -> "400", 2.5 -> "2.5"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _lines(*candidates: str) -> tuple[str, ...]:
    return tuple(line for line in candidates if line)


def patient_lines(attributes: DicomJson) -> tuple[str, ...]:
    """Patient name ("Family, Given"), patient ID, birth date and sex."""
    name = first_value(attributes, tags.PATIENT_NAME.key)
    born = format_date(_text(attributes, tags.PATIENT_BIRTH_DATE.key))
    sex = _text(attributes, tags.PATIENT_SEX.key)
    return _lines(
        format_person_name(name) if name is not None else "",
        _text(attributes, tags.PATIENT_ID.key),
        " · ".join(part for part in (born, sex) if part),
    )


def study_lines(attributes: DicomJson) -> tuple[str, ...]:
    """Study date, study and series description, series number."""
    number = _text(attributes, tags.SERIES_NUMBER.key)
    return _lines(
        format_date(_text(attributes, tags.STUDY_DATE.key)),
        _text(attributes, tags.STUDY_DESCRIPTION.key),
        _text(attributes, tags.SERIES_DESCRIPTION.key),
        f"Se {number}" if number else "",
    )


def position_lines(
    attributes: DicomJson, index: int, count: int, location: float | None
) -> tuple[str, ...]:
    """Image position in the stack, slice location and slice thickness.

    ``location`` is the position along the slice normal (app/series_stack.py);
    without it, (0020,1041) Slice Location is shown when the instance has one.
    """
    if location is None:
        location = _number(attributes, SLICE_LOCATION)
    thickness = _number(attributes, SLICE_THICKNESS)
    return _lines(
        f"Im {index + 1}/{count}" if count > 0 else "",
        f"Loc {location:.1f} mm" if location is not None else "",
        f"Thick {_decimal(thickness)} mm" if thickness is not None else "",
    )


def display_lines(
    window: tuple[float, float] | None, scale: float | None
) -> tuple[str, ...]:
    """The VOI window as "W <width> L <center>" and the zoom in percent."""
    return _lines(
        f"W {_decimal(window[1])} L {_decimal(window[0])}" if window else "",
        f"Zoom {scale * 100:.0f}%" if scale else "",
    )


def viewport_overlay(
    attributes: DicomJson,
    index: int,
    count: int,
    *,
    location: float | None = None,
    window: tuple[float, float] | None = None,
    scale: float | None = None,
) -> Overlay:
    """The four corners for the image at ``index`` (from 0) of ``count``.

    ``window`` is (center, width) in modality units, or None when no VOI window
    applies (colour images); ``scale`` is canvas pixels per image pixel.
    """
    return Overlay(
        top_left=patient_lines(attributes),
        top_right=study_lines(attributes),
        bottom_left=position_lines(attributes, index, count, location),
        bottom_right=display_lines(window, scale),
    )
