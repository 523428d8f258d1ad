from typing import Any

from app.viewport_overlay import Overlay, viewport_overlay

CT: dict[str, Any] = {
    "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Müller^Jürgen"}]},
    "00100020": {"vr": "LO", "Value": ["ZHV-0001"]},
    "00100030": {"vr": "DA", "Value": ["19600412"]},
    "00100040": {"vr": "CS", "Value": ["M"]},
    "00080020": {"vr": "DA", "Value": ["20240131"]},
    "00081030": {"vr": "LO", "Value": ["Synthetic CT phantom"]},
    "0008103E": {"vr": "LO", "Value": ["Axial 1 mm"]},
    "00200011": {"vr": "IS", "Value": [3]},
    "00180050": {"vr": "DS", "Value": [1.0]},
}


def test_every_corner_of_a_ct_slice() -> None:
    overlay = viewport_overlay(
        CT, 11, 300, location=-149.5, window=(40.0, 400.0), scale=1.17
    )
    assert overlay == Overlay(
        top_left=("Müller, Jürgen", "ZHV-0001", "1960-04-12 · M"),
        top_right=("2024-01-31", "Synthetic CT phantom", "Axial 1 mm", "Se 3"),
        bottom_left=("Im 12/300", "Loc -149.5 mm", "Thick 1 mm"),
        bottom_right=("W 400 L 40", "Zoom 117%"),
    )


def test_missing_attributes_leave_their_lines_out() -> None:
    overlay = viewport_overlay({}, 0, 1)
    assert overlay == Overlay((), (), ("Im 1/1",), ())


def test_empty_and_odd_values_are_left_out() -> None:
    attributes = {
        "00100010": {"vr": "PN"},
        "00100020": {"vr": "LO", "Value": [None]},
        "00100040": {"vr": "CS", "Value": ["F"]},
        "0008103E": {"vr": "LO", "Value": ["  "]},
        "00180050": {"vr": "DS", "Value": ["thin"]},
    }
    overlay = viewport_overlay(attributes, 4, 10)
    assert overlay.top_left == ("F",)
    assert overlay.top_right == ()
    assert overlay.bottom_left == ("Im 5/10",)


def test_slice_location_attribute_when_no_position_is_given() -> None:
    attributes = {
        "00201041": {"vr": "DS", "Value": ["-12.25"]},
        "00180050": {"vr": "DS", "Value": ["2.50"]},
    }
    overlay = viewport_overlay(attributes, 0, 2)
    assert overlay.bottom_left == ("Im 1/2", "Loc -12.2 mm", "Thick 2.5 mm")


def test_fractional_windows_and_zoom() -> None:
    overlay = viewport_overlay({}, 0, 1, window=(0.5, 1.25), scale=0.333)
    assert overlay.bottom_right == ("W 1.25 L 0.5", "Zoom 33%")


def test_name_as_a_bare_string_and_a_date_that_is_not_one() -> None:
    attributes = {
        "00100010": {"vr": "PN", "Value": ["Doe^Jane"]},
        "00080020": {"vr": "DA", "Value": ["unknown"]},
    }
    overlay = viewport_overlay(attributes, 0, 1)
    assert overlay.top_left == ("Doe, Jane",)
    assert overlay.top_right == ("unknown",)
