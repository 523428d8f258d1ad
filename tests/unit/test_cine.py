import pytest

from app.cine import frame_interval, next_index


def test_frame_time_comes_first() -> None:
    attributes = {
        "00181063": {"vr": "DS", "Value": [40.0]},
        "00180040": {"vr": "IS", "Value": [5]},
    }
    assert frame_interval(attributes) == pytest.approx(0.04)


def test_cine_rate_then_recommended_rate() -> None:
    assert frame_interval({"00180040": {"vr": "IS", "Value": [25]}}) == 0.04
    recommended = {"00082144": {"vr": "IS", "Value": ["20"]}}
    assert frame_interval(recommended) == 0.05


def test_ten_frames_per_second_without_a_rate() -> None:
    assert frame_interval({}) == 0.1


@pytest.mark.parametrize("value", [0, -40, "fast", "inf", None, True])
def test_unusable_frame_times_are_skipped(value: object) -> None:
    attributes = {
        "00181063": {"vr": "DS", "Value": [value]},
        "00180040": {"vr": "IS", "Value": [20]},
    }
    assert frame_interval(attributes) == 0.05


def test_empty_elements_are_skipped() -> None:
    assert frame_interval({"00181063": {"vr": "DS"}}) == 0.1


def test_next_index_loops() -> None:
    assert next_index(0, 3) == 1
    assert next_index(2, 3) == 0
    assert next_index(0, 0) == 0
