"""WADO-RS and WADO-URI URL builders, and URL masking for logs."""

import pytest

from app.dicomweb import media
from app.dicomweb.urls import (
    RenderOptions,
    Window,
    describe_url,
    frames_url,
    rendered_url,
    series_metadata_url,
    study_metadata_url,
    wado_uri_url,
)

RS = "https://pacs.example/dicom-web"
URI = "https://pacs.example/wado"
INSTANCE = f"{RS}/studies/1.2/series/1.2.3/instances/1.2.3.4"


def test_study_metadata_url():
    assert study_metadata_url(RS, "1.2") == f"{RS}/studies/1.2/metadata"


def test_series_metadata_url():
    assert series_metadata_url(RS, "1.2", "1.2.3") == (
        f"{RS}/studies/1.2/series/1.2.3/metadata"
    )


def test_one_frame_url():
    assert frames_url(RS, "1.2", "1.2.3", "1.2.3.4", [1]) == f"{INSTANCE}/frames/1"


def test_several_frames_in_one_url():
    url = frames_url(RS, "1.2", "1.2.3", "1.2.3.4", [1, 2, 3])

    assert url == f"{INSTANCE}/frames/1,2,3"


@pytest.mark.parametrize("numbers", [[], [0], [1, -2]])
def test_frame_numbers_count_from_one(numbers):
    with pytest.raises(ValueError, match="frames count from 1"):
        frames_url(RS, "1.2", "1.2.3", "1.2.3.4", numbers)


def test_rendered_instance_without_options():
    url = rendered_url(RS, "1.2", "1.2.3", "1.2.3.4", RenderOptions())

    assert url == f"{INSTANCE}/rendered"


def test_rendered_frame_with_all_options():
    options = RenderOptions(
        window=Window(center=-600.5, width=1500.0),
        viewport=(128, 96),
        quality=80,
    )

    url = rendered_url(RS, "1.2", "1.2.3", "1.2.3.4", options, frame_number=2)

    assert url == (
        f"{INSTANCE}/frames/2/rendered?window=-600.5,1500,linear&viewport=128,96"
        "&quality=80"
    )


def test_rendered_window_function_is_sent():
    options = RenderOptions(window=Window(40, 400, "sigmoid"))

    url = rendered_url(RS, "1.2", "1.2.3", "1.2.3.4", options)

    assert url == f"{INSTANCE}/rendered?window=40,400,sigmoid"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"media_type": "image/gif"},
        {"quality": 0},
        {"quality": 101},
        {"viewport": (0, 10)},
        {"window": Window(40, 0)},
    ],
)
def test_invalid_render_options(kwargs):
    with pytest.raises(ValueError):
        RenderOptions(**kwargs)


def test_wado_uri_file():
    url = wado_uri_url(URI, "1.2", "1.2.3", "1.2.3.4")

    assert url == (
        f"{URI}?requestType=WADO&studyUID=1.2&seriesUID=1.2.3&objectUID=1.2.3.4"
        "&contentType=application/dicom"
    )


def test_wado_uri_rendered_with_options():
    options = RenderOptions(window=Window(40, 400), viewport=(64, 32), quality=90)

    url = wado_uri_url(
        URI,
        "1.2",
        "1.2.3",
        "1.2.3.4",
        content_type=media.IMAGE_JPEG,
        options=options,
        frame_number=3,
    )

    assert url == (
        f"{URI}?requestType=WADO&studyUID=1.2&seriesUID=1.2.3&objectUID=1.2.3.4"
        "&contentType=image/jpeg&frameNumber=3&windowCenter=40&windowWidth=400"
        "&columns=64&rows=32&imageQuality=90"
    )


def test_describe_url_masks_query_values_and_userinfo():
    url = "https://user:pw@pacs.example:8443/rs/studies?PatientName=Doe^J*&limit=5"

    assert describe_url(url) == (
        "https://pacs.example:8443/rs/studies?PatientName=…&limit=…"
    )


def test_describe_url_without_query():
    assert describe_url(f"{RS}/studies") == f"{RS}/studies"
