import pytest

from app.view_geometry import MAX_SCALE, ViewGeometry


def test_fit_keeps_proportions_and_centres() -> None:
    geometry = ViewGeometry().fitted_to((800, 600), (512, 512))
    assert geometry.scale == pytest.approx(600 / 512)
    assert (geometry.offset_x, geometry.offset_y) == (100, 0)
    assert geometry.fitted


def test_fit_honours_non_square_pixels() -> None:
    # Rows 2 mm apart, columns 1 mm: the image is twice as tall as it is wide.
    geometry = ViewGeometry().fitted_to((400, 400), (100, 100), aspect=2.0)
    assert geometry.scale == pytest.approx(2.0)
    assert geometry.scale_y == pytest.approx(4.0)
    assert (geometry.offset_x, geometry.offset_y) == (100, 0)


def test_zoom_keeps_the_point_under_the_cursor() -> None:
    geometry = ViewGeometry(scale=1.0, offset_x=10, offset_y=20)
    before = geometry.to_image((110, 70))
    zoomed = geometry.zoomed(2.0, (110, 70))
    assert zoomed.to_image((110, 70)) == pytest.approx(before)
    assert ViewGeometry(scale=MAX_SCALE).zoomed(10, (0, 0)).scale == MAX_SCALE


def test_actual_size_and_pan() -> None:
    geometry = ViewGeometry().actual_size((300, 200), (100, 50)).panned(5, -5)
    assert (geometry.scale, geometry.offset_x, geometry.offset_y) == (1.0, 105, 70)
    assert not geometry.fitted
