"""Window record, window/level drag and CT presets."""

import math

import pytest

from app.imaging import CT_PRESETS, Window, drag_window


def test_window_edges() -> None:
    window = Window(40, 400)

    assert window.lower == -160
    assert window.upper == 240


@pytest.mark.parametrize(
    ("center", "width", "message"),
    [
        (0, 0, "width must be above 0, got 0"),
        (0, -5, "width must be above 0, got -5"),
        (math.nan, 10, "finite numbers"),
        (0, math.inf, "finite numbers"),
    ],
)
def test_window_refuses_impossible_values(
    center: float, width: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Window(center, width)


def test_drag_right_doubles_width_every_256_pixels() -> None:
    window = Window(40, 400)

    assert drag_window(window, 256, 0) == Window(40, 800)
    assert drag_window(window, -256, 0) == Window(40, 200)
    assert drag_window(window, 0, 0) == window


def test_drag_down_raises_center_in_proportion_to_the_width() -> None:
    assert drag_window(Window(40, 400), 0, 64) == Window(140, 400)
    assert drag_window(Window(40, 80), 0, -64) == Window(20, 80)


def test_drag_never_narrows_below_one() -> None:
    narrow = drag_window(Window(40, 4), -10_000, 0)

    assert narrow.width == 1
    assert drag_window(narrow, 256, 0).width == 2


def test_drag_sensitivity_is_adjustable() -> None:
    assert drag_window(Window(0, 100), 100, 100, pixels_per_doubling=100) == Window(
        100, 200
    )

    with pytest.raises(ValueError, match="pixels_per_doubling must be above 0"):
        drag_window(Window(0, 100), 1, 1, pixels_per_doubling=0)


def test_ct_presets() -> None:
    assert list(CT_PRESETS) == ["Brain", "Abdomen", "Lung", "Bone"]
    assert CT_PRESETS["Abdomen"] == Window(40, 400)
    assert CT_PRESETS["Lung"] == Window(-600, 1500)
