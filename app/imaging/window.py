"""VOI windows: the record, the window/level drag and CT presets.

A window is (0028,1050) Window Center and (0028,1051) Window Width (PS3.3 C.11.2.1.2),
in the units of the modality LUT's output: Hounsfield units for CT.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, get_args

#: (0028,1056) VOI LUT Function values (PS3.3 C.11.2.1.3).
VoiFunction = Literal["LINEAR", "LINEAR_EXACT", "SIGMOID"]
VOI_FUNCTIONS: tuple[VoiFunction, ...] = get_args(VoiFunction)

#: Dragging this many pixels to the right doubles the window width.
DRAG_PIXELS_PER_DOUBLING = 256.0


@dataclass(frozen=True, slots=True)
class Window:
    """A VOI window: ``center`` and ``width`` in modality units.

    Width 1 is the narrowest LINEAR window (PS3.3 C.11.2.1.2.1 requires >= 1);
    LINEAR_EXACT and SIGMOID accept any width above 0.
    """

    center: float
    width: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.center) and math.isfinite(self.width)):
            raise ValueError(
                f"A window needs finite numbers, got center {self.center!r} and "
                f"width {self.width!r}."
            )

        if self.width <= 0:
            raise ValueError(f"A window width must be above 0, got {self.width!r}.")

    @property
    def lower(self) -> float:
        """The lowest value the window shows above black (LINEAR_EXACT's edge)."""
        return self.center - self.width / 2

    @property
    def upper(self) -> float:
        """The highest value the window shows below white (LINEAR_EXACT's edge)."""
        return self.center + self.width / 2


def drag_window(
    window: Window,
    dx: float,
    dy: float,
    *,
    pixels_per_doubling: float = DRAG_PIXELS_PER_DOUBLING,
) -> Window:
    """The window after a window/level drag of ``dx``, ``dy`` canvas pixels.

    Right widens the window (less contrast), left narrows it; down raises the
    center (a darker image), up lowers it. Both changes are proportional to the
    width, so a drag feels the same on a 80 HU brain window and a 2000 HU bone one:
    the width doubles every ``pixels_per_doubling`` pixels and the center moves
    ``width / pixels_per_doubling`` per pixel. The width never goes below 1.
    """
    if pixels_per_doubling <= 0:
        raise ValueError(
            f"pixels_per_doubling must be above 0, got {pixels_per_doubling!r}."
        )

    width = max(1.0, window.width * 2.0 ** (dx / pixels_per_doubling))
    center = window.center + dy * window.width / pixels_per_doubling
    return Window(center, width)


#: Common CT windows in Hounsfield units. These are radiology conventions, not
#: part of DICOM; values as in widely used teaching references.
CT_PRESETS: Mapping[str, Window] = MappingProxyType(
    {
        "Brain": Window(center=40, width=80),
        "Abdomen": Window(center=40, width=400),
        "Lung": Window(center=-600, width=1500),
        "Bone": Window(center=400, width=1800),
    }
)
