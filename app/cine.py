"""Cine: how fast a multi-frame image or a stack plays, and what comes next.

Pure logic over an instance's DICOM JSON. The rate is the instance's own: (0018,1063)
Frame Time, else (0018,0040) Cine Rate, else (0008,2144) Recommended Display Frame
Rate (PS3.3 C.7.6.5 and C.8.7.3), else :data:`DEFAULT_FRAMES_PER_SECOND`.
"""

from __future__ import annotations

import math

from app.dicomweb.records import DicomJson

FRAME_TIME = "00181063"  # (0018,1063) Frame Time, ms
CINE_RATE = "00180040"  # (0018,0040) Cine Rate, frames per second
RECOMMENDED_DISPLAY_FRAME_RATE = "00082144"  # (0008,2144), frames per second
DEFAULT_FRAMES_PER_SECOND = 10.0


def _positive(attributes: DicomJson, key: str) -> float | None:
    element = attributes.get(key)
    values = element.get("Value") if isinstance(element, dict) else None
    if not isinstance(values, list) or not values:
        return None
    value = values[0]
    # DS and IS are JSON numbers (PS3.18 F.2.3), but some servers send strings.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number > 0 else None


def frame_interval(attributes: DicomJson) -> float:
    """Seconds from one frame to the next; a zero or negative rate is ignored."""
    frame_time = _positive(attributes, FRAME_TIME)
    if frame_time is not None:
        return frame_time / 1000
    for key in (CINE_RATE, RECOMMENDED_DISPLAY_FRAME_RATE):
        rate = _positive(attributes, key)
        if rate is not None:
            return 1 / rate
    return 1 / DEFAULT_FRAMES_PER_SECOND


def next_index(index: int, count: int) -> int:
    """The image after ``index``; after the last comes the first again."""
    if count <= 0:
        return 0
    return (index + 1) % count
