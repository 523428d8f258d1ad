"""Modality LUT, VOI, presentation, 8 bits and RGBA: the standard's numbers and pydicom's.

The 8-bit mapping under test: the VOI formulas of PS3.3 C.11.2.1 with ymin = 0 and
ymax = 255 give a level y; MONOCHROME1 (or "invert") makes it 255 - y; the byte is
floor(y + 0.5). pydicom's ``apply_voi_lut`` uses the same formulas with a wider
output range, so its result rescaled to [0, 255] must equal y.
"""

from copy import deepcopy
from dataclasses import replace

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.pixels import apply_modality_lut as pydicom_modality_lut
from pydicom.pixels import apply_voi_lut as pydicom_voi_lut

from app.imaging import (
    PixelDescription,
    UnsupportedImage,
    VoiFunction,
    Window,
    apply_modality_lut,
    apply_presentation,
    apply_voi,
    default_window,
    grey_levels,
    min_max_window,
    new_rgba_buffer,
    read_part10,
    render_rgba,
    to_8bit,
)

GREY = PixelDescription(
    rows=1,
    columns=3,
    samples_per_pixel=1,
    photometric_interpretation="MONOCHROME2",
    bits_allocated=16,
    bits_stored=16,
    high_bit=15,
    pixel_representation=1,
)
FUNCTIONS: tuple[VoiFunction, ...] = ("LINEAR", "LINEAR_EXACT", "SIGMOID")

# Files with their own windows, rescale, MONOCHROME1 and 12-bit pixels among them.
WINDOWED_FILES = [
    "MR_small.dcm",
    "dicomdirtests/77654033/CR1/6154",
    "dicomdirtests/77654033/CT2/17106",
    "examples_overlay.dcm",
]


def _testdata(name: str) -> str:
    path = get_testdata_file(name, download=False)
    if path is None:
        pytest.skip(f"pydicom's test file {name} is not installed")
    return str(path)


def _file(name: str) -> tuple[np.ndarray, PixelDescription, Dataset]:
    path = _testdata(name)
    with open(path, "rb") as file:
        image = read_part10(file.read())
    return image.frame(1), image.description, pydicom.dcmread(path)


def _bytes(levels: list[float]) -> list[int]:
    return to_8bit(np.array(levels, dtype=np.float64)).tolist()


# The standard's formulas by hand -------------------------------------------------


def test_linear_by_hand_c40_w400() -> None:
    # C.11.2.1.2.1: below c - 0.5 - (w-1)/2 = -160 is black, above c - 0.5 + (w-1)/2
    # = 239 is white, in between ((x - 39.5) / 399 + 0.5) * 255.
    values = np.array([-1000.0, -160, -159, 40, 239, 240, 3000])

    levels = apply_voi(values, Window(40, 400), "LINEAR")

    assert levels[0] == 0
    assert levels[1] == 0
    assert levels[2] == pytest.approx((-198.5 / 399 + 0.5) * 255)  # 0.639
    assert levels[3] == pytest.approx((0.5 / 399 + 0.5) * 255)  # 127.82
    assert levels[4] == 255
    assert levels[5] == 255
    assert to_8bit(levels).tolist() == [0, 0, 1, 128, 255, 255, 255]


def test_linear_width_one_is_a_threshold() -> None:
    levels = apply_voi(np.array([99.0, 99.5, 99.6, 100.0]), Window(100, 1), "LINEAR")

    assert levels.tolist() == [0, 0, 255, 255]


def test_linear_refuses_width_below_one() -> None:
    with pytest.raises(ValueError, match=r"at least 1, got 0\.5"):
        apply_voi(np.array([0.0]), Window(0, 0.5), "LINEAR")


def test_linear_exact_by_hand() -> None:
    # C.11.2.1.3.2: ((x - c) / w + 0.5) * 255 between c - w/2 and c + w/2.
    levels = apply_voi(
        np.array([-160.0, -60, 40, 140, 240]), Window(40, 400), "LINEAR_EXACT"
    )

    assert levels.tolist() == [0, 63.75, 127.5, 191.25, 255]
    assert to_8bit(levels).tolist() == [0, 64, 128, 191, 255]


def test_sigmoid_by_hand() -> None:
    # C.11.2.1.3.1: 255 / (1 + exp(-4 (x - c) / w)).
    values = np.array([-1e6, 40 - 400, 40, 40 + 400])

    levels = apply_voi(values, Window(40, 400), "SIGMOID")

    assert levels[0] == 0
    assert levels[1] == pytest.approx(255 / (1 + np.exp(4)))
    assert levels[2] == 127.5
    assert levels[3] == pytest.approx(255 / (1 + np.exp(-4)))
    assert to_8bit(levels).tolist() == [0, 5, 128, 250]


def test_8_bit_rounds_halves_up() -> None:
    assert _bytes([0, 0.49, 0.5, 1.5, 2.5, 127.5, 254.5, 255]) == [
        0,
        0,
        1,
        2,
        3,
        128,
        255,
        255,
    ]


def test_monochrome1_and_invert_flip_the_levels() -> None:
    levels = np.array([0.0, 63.75, 255])
    monochrome1 = replace(GREY, photometric_interpretation="MONOCHROME1")

    assert apply_presentation(levels, GREY).tolist() == [0, 63.75, 255]
    assert apply_presentation(levels, monochrome1).tolist() == [255, 191.25, 0]
    assert apply_presentation(levels, GREY, invert=True).tolist() == [255, 191.25, 0]
    assert apply_presentation(levels, monochrome1, invert=True).tolist() == [
        0,
        63.75,
        255,
    ]


def test_grey_levels_apply_rescale_then_window() -> None:
    ct = replace(GREY, rescale_slope=2.0, rescale_intercept=-1024.0)
    stored = np.array([[432, 532, 632]], dtype=np.int16)  # -160, 40, 240 HU

    assert grey_levels(stored, ct, Window(40, 400)).tolist() == [[0, 128, 255]]


# Against pydicom -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["CT_small.dcm", "MR_small.dcm", "dicomdirtests/77654033/CR1/6154"]
)
def test_modality_lut_equals_pydicom(name: str) -> None:
    pixels, description, dataset = _file(name)

    values = apply_modality_lut(pixels, description)

    assert values.dtype == np.float64
    np.testing.assert_array_equal(
        values, pydicom_modality_lut(dataset.pixel_array, dataset)
    )


def _pydicom_levels(values: np.ndarray, dataset: Dataset) -> np.ndarray:
    """pydicom's VOI output rescaled from its own output range to [0, 255].

    Two values far outside any window come out as pydicom's ymin and ymax.
    """
    probe = np.concatenate([values.ravel(), [-1e12, 1e12]])
    result = pydicom_voi_lut(probe, dataset, prefer_lut=False)
    y_min, y_max = result[-2], result[-1]
    levels: np.ndarray = (result[:-2] - y_min) / (y_max - y_min) * 255
    return levels.reshape(values.shape)


@pytest.mark.filterwarnings("ignore:overflow encountered in exp")  # pydicom, probes
@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("name", WINDOWED_FILES)
def test_voi_equals_pydicom_rescaled_to_8_bits(
    name: str, function: VoiFunction
) -> None:
    pixels, description, dataset = _file(name)
    dataset = deepcopy(dataset)
    dataset.VOILUTFunction = function
    values = apply_modality_lut(pixels, description)
    window = description.windows[0]

    ours = apply_voi(values, window, function)

    expected = _pydicom_levels(values, dataset)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-9)
    # Away from exact halves the bytes agree too (float error only moves ties).
    not_a_tie = np.abs(expected - np.floor(expected) - 0.5) > 1e-6
    np.testing.assert_array_equal(
        to_8bit(ours)[not_a_tie], to_8bit(expected)[not_a_tie]
    )


def test_monochrome1_file_renders_inverted() -> None:
    pixels, description, dataset = _file("dicomdirtests/77654033/CR1/6154")
    assert description.photometric_interpretation == "MONOCHROME1"
    window = description.windows[0]
    values = apply_modality_lut(pixels, description)

    rgba = render_rgba(pixels, description, window)

    expected = to_8bit(255 - _pydicom_levels(values, dataset))
    np.testing.assert_array_equal(rgba[..., 0], expected)
    as_monochrome2 = replace(description, photometric_interpretation="MONOCHROME2")
    np.testing.assert_array_equal(
        rgba[..., 0], render_rgba(pixels, as_monochrome2, window, invert=True)[..., 0]
    )


# The lookup table against the direct path ---------------------------------------


def _every_value(dtype: str, stored_bits: int, signed: bool) -> np.ndarray:
    if signed:
        values = np.arange(-(1 << (stored_bits - 1)), 1 << (stored_bits - 1))
    else:
        values = np.arange(1 << stored_bits)
    return values.astype(dtype).reshape(1, -1)


@pytest.mark.parametrize(
    ("dtype", "stored_bits", "slope", "intercept", "photometric"),
    [
        ("int16", 16, 1.0, -1024.0, "MONOCHROME2"),
        ("uint16", 16, 1.0, 0.0, "MONOCHROME2"),
        ("int16", 12, 1.0, -1024.0, "MONOCHROME2"),
        ("uint16", 12, 0.684, 200.0, "MONOCHROME1"),
        ("uint8", 8, 1.0, 0.0, "MONOCHROME1"),
        ("int8", 8, 3.0, -7.5, "MONOCHROME2"),
        ("uint16", 16, -1.0, 100.0, "MONOCHROME2"),
    ],
)
@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("invert", [False, True])
def test_lookup_table_equals_direct_path_for_every_stored_value(
    dtype: str,
    stored_bits: int,
    slope: float,
    intercept: float,
    photometric: str,
    function: VoiFunction,
    invert: bool,
) -> None:
    pixels = _every_value(dtype, stored_bits, dtype.startswith("int"))
    description = replace(
        GREY,
        columns=pixels.shape[1],
        photometric_interpretation=photometric,
        bits_allocated=8 * pixels.itemsize,
        bits_stored=stored_bits,
        high_bit=stored_bits - 1,
        pixel_representation=1 if dtype.startswith("int") else 0,
        rescale_slope=slope,
        rescale_intercept=intercept,
    )
    window = Window(center=37.25, width=301.5)

    rgba = render_rgba(pixels, description, window, function=function, invert=invert)
    direct = grey_levels(pixels, description, window, function=function, invert=invert)

    np.testing.assert_array_equal(rgba[..., 0], direct)


def test_32_bit_pixels_take_the_direct_path() -> None:
    pixels = np.array([[0, 2**20, 2**31 - 1]], dtype=np.uint32)
    description = replace(GREY, bits_allocated=32, bits_stored=32, high_bit=31)
    description = replace(description, pixel_representation=0)
    window = Window(2**20, 2**21)

    rgba = render_rgba(pixels, description, window)

    assert (
        rgba[0, :, 0].tolist() == grey_levels(pixels, description, window)[0].tolist()
    )
    assert rgba[0, :, 0].tolist() == [0, 128, 255]


# Windows chosen for the user -----------------------------------------------------


def test_min_max_window_maps_lowest_to_black_and_highest_to_white() -> None:
    pixels, description, _ = _file("CT_small.dcm")
    assert not description.windows

    window = min_max_window(pixels, description)

    low = float(pixels.min()) - 1024
    high = float(pixels.max()) - 1024
    assert window == Window(center=(low + high) / 2 + 0.5, width=high - low + 1)
    grey = render_rgba(pixels, description)[..., 0]
    assert grey[pixels == pixels.min()].max() == 0
    assert grey[pixels == pixels.max()].min() == 255
    assert default_window(description, pixels) == window


def test_min_max_window_with_negative_slope_and_a_flat_frame() -> None:
    negative = replace(GREY, rescale_slope=-2.0)
    pixels = np.array([[10, 20, 30]], dtype=np.int16)

    assert min_max_window(pixels, negative) == Window(center=-39.5, width=41)
    flat = min_max_window(np.full((1, 3), 7, dtype=np.int16), GREY)
    assert flat == Window(7.5, 1)
    assert render_rgba(np.full((1, 3), 7, dtype=np.int16), GREY, flat)[
        0, :, 0
    ].tolist() == [
        0,
        0,
        0,
    ]


def test_default_window_is_the_first_of_the_file() -> None:
    pixels, description, dataset = _file("MR_small.dcm")

    window = default_window(description, pixels)

    assert window == Window(float(dataset.WindowCenter), float(dataset.WindowWidth))


# RGBA layout and buffers -----------------------------------------------------------


def test_rgba_layout_for_grey() -> None:
    pixels = np.array([[-160, 40, 240]], dtype=np.int16)

    rgba = render_rgba(pixels, GREY, Window(40, 400))

    assert rgba.dtype == np.uint8
    assert rgba.shape == (1, 3, 4)
    assert rgba.flags.c_contiguous
    assert rgba.reshape(-1).tolist() == [
        0,
        0,
        0,
        255,
        128,
        128,
        128,
        255,
        255,
        255,
        255,
        255,
    ]
    assert len(bytes(memoryview(rgba))) == 1 * 3 * 4


def test_rgba_layout_for_colour_ignores_the_window() -> None:
    rgb = PixelDescription(
        rows=1,
        columns=2,
        samples_per_pixel=3,
        photometric_interpretation="RGB",
        bits_allocated=8,
        bits_stored=8,
        high_bit=7,
        pixel_representation=0,
    )
    pixels = np.array([[[1, 2, 3], [250, 251, 252]]], dtype=np.uint8)

    rgba = render_rgba(pixels, rgb, Window(0, 10), invert=True)

    assert rgba.reshape(-1).tolist() == [1, 2, 3, 255, 250, 251, 252, 255]


def test_colour_window_only_when_asked() -> None:
    rgb = replace(
        GREY, columns=1, samples_per_pixel=3, photometric_interpretation="RGB"
    )
    rgb = replace(
        rgb, bits_allocated=8, bits_stored=8, high_bit=7, pixel_representation=0
    )
    pixels = np.array([[[0, 64, 200]]], dtype=np.uint8)

    rgba = render_rgba(pixels, rgb, Window(64.5, 129), window_colour=True)

    assert rgba.reshape(-1).tolist() == [0, 128, 255, 255]


def test_wide_colour_keeps_the_top_8_stored_bits() -> None:
    _, description, dataset = _file("SC_rgb_rle_16bit.dcm")
    pixels = dataset.pixel_array

    rgba = render_rgba(pixels, description)

    np.testing.assert_array_equal(rgba[..., :3], (pixels >> 8).astype(np.uint8))
    assert (rgba[..., 3] == 255).all()


def test_output_buffer_is_reused() -> None:
    pixels = np.array([[-160, 40, 240]], dtype=np.int16)
    buffer = new_rgba_buffer(1, 3)

    first = render_rgba(pixels, GREY, Window(40, 400), out=buffer)
    second = render_rgba(pixels, GREY, Window(40, 800), out=buffer)

    assert first is buffer
    assert second is buffer
    assert buffer[0, :, 0].tolist() == [
        to_8bit(apply_voi(np.array([float(v)]), Window(40, 800)))[0]
        for v in (-160, 40, 240)
    ]


def test_output_buffer_of_the_wrong_shape_is_refused() -> None:
    pixels = np.zeros((2, 3), dtype=np.int16)

    with pytest.raises(ValueError, match=r"shape \(2, 3, 4\); got uint8 \(3, 2, 4\)"):
        render_rgba(pixels, GREY, Window(0, 10), out=new_rgba_buffer(3, 2))


def test_palette_colour_is_not_supported() -> None:
    pixels, description, _ = _file("examples_palette.dcm")

    with pytest.raises(UnsupportedImage, match="'PALETTE COLOR' is not supported"):
        render_rgba(pixels, description)


def test_modality_lut_sequence_is_not_supported() -> None:
    description = replace(GREY, has_modality_lut_sequence=True)

    with pytest.raises(UnsupportedImage) as caught:
        render_rgba(np.zeros((1, 3), dtype=np.int16), description, Window(0, 10))

    assert str(caught.value) == (
        "ModalityLUTSequence (0028,3000) is not supported; only Rescale Slope and "
        "Intercept are applied"
    )
    assert caught.value.user_message().startswith("This image cannot be shown: ")
