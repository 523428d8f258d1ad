"""PixelDescription from DICOM JSON and from pydicom: values, defaults, errors."""

import logging
from typing import Any

import pydicom
import pytest
from pydicom.data import get_testdata_file

from app.imaging import (
    InvalidAttribute,
    MissingAttribute,
    PixelDescription,
    Window,
)

CT_JSON: dict[str, Any] = {
    "00080060": {"vr": "CS", "Value": ["CT"]},
    "00280002": {"vr": "US", "Value": [1]},
    "00280004": {"vr": "CS", "Value": ["MONOCHROME2"]},
    "00280008": {"vr": "IS", "Value": [3]},
    "00280010": {"vr": "US", "Value": [512]},
    "00280011": {"vr": "US", "Value": [256]},
    "00280030": {"vr": "DS", "Value": [0.5, 0.25]},
    "00280100": {"vr": "US", "Value": [16]},
    "00280101": {"vr": "US", "Value": [12]},
    "00280102": {"vr": "US", "Value": [11]},
    "00280103": {"vr": "US", "Value": [1]},
    "00281050": {"vr": "DS", "Value": [40, -600]},
    "00281051": {"vr": "DS", "Value": [400, 1500]},
    "00281055": {"vr": "LO", "Value": ["ABDOMEN", "LUNG"]},
    "00281052": {"vr": "DS", "Value": [-1024]},
    "00281053": {"vr": "DS", "Value": [1]},
    "00281056": {"vr": "CS", "Value": ["SIGMOID"]},
}


def _json(**changes: Any) -> dict[str, Any]:
    """CT_JSON with attributes replaced (a dict) or removed (None)."""
    result = dict(CT_JSON)
    for key, value in changes.items():
        tag = key.removeprefix("x")
        if value is None:
            result.pop(tag, None)
        else:
            result[tag] = value
    return result


def _testdata(name: str) -> str:
    path = get_testdata_file(name, download=False)
    if path is None:
        pytest.skip(f"pydicom's test file {name} is not installed")
    return str(path)


def test_from_json_reads_every_attribute() -> None:
    description = PixelDescription.from_json(CT_JSON)

    assert description == PixelDescription(
        rows=512,
        columns=256,
        samples_per_pixel=1,
        photometric_interpretation="MONOCHROME2",
        bits_allocated=16,
        bits_stored=12,
        high_bit=11,
        pixel_representation=1,
        planar_configuration=0,
        number_of_frames=3,
        rescale_slope=1.0,
        rescale_intercept=-1024.0,
        windows=(Window(40, 400), Window(-600, 1500)),
        window_explanations=("ABDOMEN", "LUNG"),
        voi_lut_function="SIGMOID",
        pixel_spacing=(0.5, 0.25),
        modality="CT",
    )
    assert description.is_signed
    assert description.is_monochrome
    assert description.stored_range == (-2048, 2047)
    assert description.aspect_ratio == 2.0


def test_defaults_when_optional_attributes_are_absent() -> None:
    attributes = _json(
        x00280008=None,
        x00280030=None,
        x00281050=None,
        x00281051=None,
        x00281055=None,
        x00281052=None,
        x00281053=None,
        x00281056=None,
        x00280102=None,
        x00080060=None,
    )

    description = PixelDescription.from_json(attributes)

    assert description.number_of_frames == 1
    assert description.rescale_slope == 1.0
    assert description.rescale_intercept == 0.0
    assert description.windows == ()
    assert description.voi_lut_function == "LINEAR"
    assert description.pixel_spacing is None
    assert description.aspect_ratio == 1.0
    assert description.high_bit == 11
    assert description.modality == ""


def test_numbers_sent_as_strings_are_accepted() -> None:
    attributes = _json(
        x00281050={"vr": "DS", "Value": ["40.5"]},
        x00281051={"vr": "DS", "Value": [" 400 "]},
        x00281053={"vr": "DS", "Value": ["2.5"]},
        x00280008={"vr": "IS", "Value": ["7"]},
    )

    description = PixelDescription.from_json(attributes)

    assert description.windows == (Window(40.5, 400),)
    assert description.rescale_slope == 2.5
    assert description.number_of_frames == 7


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("00280010", "The metadata lacks Rows (0028,0010)"),
        ("00280011", "The metadata lacks Columns (0028,0011)"),
        ("00280100", "The metadata lacks BitsAllocated (0028,0100)"),
        ("00280101", "The metadata lacks BitsStored (0028,0101)"),
        ("00280103", "The metadata lacks PixelRepresentation (0028,0103)"),
        ("00280004", "The metadata lacks PhotometricInterpretation (0028,0004)"),
        ("00280002", "The metadata lacks SamplesPerPixel (0028,0002)"),
    ],
)
def test_missing_required_attribute_names_the_tag(key: str, message: str) -> None:
    attributes = dict(CT_JSON)
    del attributes[key]

    with pytest.raises(MissingAttribute) as caught:
        PixelDescription.from_json(attributes)

    assert str(caught.value) == message
    assert caught.value.tag.key == key


def test_empty_value_counts_as_missing() -> None:
    attributes = _json(x00280010={"vr": "US"})

    with pytest.raises(MissingAttribute, match=r"lacks Rows \(0028,0010\)"):
        PixelDescription.from_json(attributes)


@pytest.mark.parametrize(
    ("key", "element", "message"),
    [
        (
            "00280101",
            {"vr": "US", "Value": ["twelve"]},
            "BitsStored (0028,0101) is 'twelve', but it must be an integer",
        ),
        (
            "00280101",
            {"vr": "US", "Value": [17]},
            "BitsStored (0028,0101) is 17, but it cannot exceed BitsAllocated "
            "(0028,0100), 16",
        ),
        (
            "00280102",
            {"vr": "US", "Value": [15]},
            "HighBit (0028,0102) is 15, but it must be one less than BitsStored "
            "(0028,0101), 12 (PS3.3 C.7.6.3.1)",
        ),
        (
            "00280103",
            {"vr": "US", "Value": [2]},
            "PixelRepresentation (0028,0103) is 2, but it must be 0 or 1",
        ),
        (
            "00280010",
            {"vr": "US", "Value": [0]},
            "Rows (0028,0010) is 0, but it must be at least 1",
        ),
        (
            "00281053",
            {"vr": "DS", "Value": ["1,5"]},
            "RescaleSlope (0028,1053) is '1,5', but it must be a decimal number",
        ),
        (
            "00281050",
            {"vr": "DS", "Value": ["NaN"]},
            "WindowCenter (0028,1050) is 'NaN', but it must be a decimal number",
        ),
        (
            "00281056",
            {"vr": "CS", "Value": ["LOG"]},
            "VOILUTFunction (0028,1056) is 'LOG', but PS3.3 C.11.2.1.3 defines only "
            "LINEAR, LINEAR_EXACT, SIGMOID",
        ),
        (
            "00280030",
            {"vr": "DS", "Value": [0.5]},
            "PixelSpacing (0028,0030) is [0.5], but it must be two distances above 0 "
            "(row\\column)",
        ),
        (
            "00280008",
            {"vr": "IS", "Value": [True]},
            "NumberOfFrames (0028,0008) is True, but it must be an integer",
        ),
    ],
)
def test_garbled_values_raise_invalid_attribute(
    key: str, element: dict[str, Any], message: str
) -> None:
    attributes = _json(**{f"x{key}": element})

    with pytest.raises(InvalidAttribute) as caught:
        PixelDescription.from_json(attributes)

    assert str(caught.value) == message


def test_metadata_that_is_not_an_object_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="must be an object of attributes, got list"):
        PixelDescription.from_json([])  # type: ignore[arg-type]


def test_windows_narrower_than_one_are_dropped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    attributes = _json(
        x00281050={"vr": "DS", "Value": [40, 50, 60]},
        x00281051={"vr": "DS", "Value": [0, 350, 80]},
        x00281055={"vr": "LO", "Value": ["ZERO", "MEDIASTINUM", "BRAIN"]},
    )

    with caplog.at_level(logging.WARNING, logger="app.imaging.description"):
        description = PixelDescription.from_json(attributes)

    assert description.windows == (Window(50, 350), Window(60, 80))
    assert description.window_explanations == ("MEDIASTINUM", "BRAIN")
    assert "width 0.0 is below 1" in caplog.text


def test_unpaired_window_values_pair_what_pairs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    attributes = _json(
        x00281050={"vr": "DS", "Value": [40, 50]},
        x00281051={"vr": "DS", "Value": [400]},
        x00281055=None,
    )

    with caplog.at_level(logging.WARNING, logger="app.imaging.description"):
        description = PixelDescription.from_json(attributes)

    assert description.windows == (Window(40, 400),)
    assert description.window_explanations == ("",)
    assert "2 window centers and 1 widths" in caplog.text


def test_palette_and_lut_sequences_are_noted() -> None:
    attributes = _json(
        x00281101={"vr": "US", "Value": [256, 0, 16]},
        x00283000={"vr": "SQ", "Value": [{}]},
        x00283010={"vr": "SQ", "Value": [{}]},
    )

    description = PixelDescription.from_json(attributes)

    assert description.has_palette_lut
    assert description.has_modality_lut_sequence
    assert description.has_voi_lut_sequence


@pytest.mark.parametrize(
    "name",
    [
        "CT_small.dcm",
        "MR_small.dcm",
        "SC_rgb_rle_2frame.dcm",
        "examples_palette.dcm",
        "dicomdirtests/77654033/CR1/6154",
        "rtdose.dcm",
    ],
)
@pytest.mark.filterwarnings("ignore:Invalid value for VR UI")  # rtdose.dcm's UIDs
def test_dataset_and_its_dicom_json_describe_the_same(name: str) -> None:
    dataset = pydicom.dcmread(_testdata(name))
    as_json = dataset.to_json_dict(
        bulk_data_threshold=64, bulk_data_element_handler=lambda element: "bulk"
    )

    from_dataset = PixelDescription.from_dataset(dataset)

    assert from_dataset == PixelDescription.from_json(as_json)
    assert from_dataset.rows == dataset.Rows
    assert from_dataset.columns == dataset.Columns
    assert from_dataset.bits_stored == dataset.BitsStored
    assert from_dataset.number_of_frames == int(dataset.get("NumberOfFrames", 1))


def test_dataset_values_of_a_cr_file() -> None:
    dataset = pydicom.dcmread(_testdata("dicomdirtests/77654033/CR1/6154"))

    description = PixelDescription.from_dataset(dataset)

    assert description.photometric_interpretation == "MONOCHROME1"
    assert description.rescale_slope == pytest.approx(0.684)
    assert description.rescale_intercept == 200
    assert description.windows == tuple(
        Window(float(c), float(w))
        for c, w in zip(
            _as_list(dataset.WindowCenter), _as_list(dataset.WindowWidth), strict=True
        )
    )


def test_dataset_lacking_pixel_attributes_says_dataset() -> None:
    dataset = pydicom.Dataset()
    dataset.Rows = 4

    with pytest.raises(MissingAttribute, match=r"^The dataset lacks Columns"):
        PixelDescription.from_dataset(dataset)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, pydicom.multival.MultiValue) else [value]
