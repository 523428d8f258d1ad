"""The viewport against the test bed: what the canvas shows, checked pixel by pixel.

The reference is computed on CPython: pydicom reads the uploaded file and applies
the modality LUT, and the VOI window is the LINEAR function of PS3.3 C.11.2.1.2.1
mapped to 0..255. The page's canvas is screenshotted at 1:1 and compared.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pytest
from PIL import Image
from playwright.sync_api import expect
from pydicom.pixels import apply_modality_lut

from tests.e2e.conftest import wait_until_booted
from tests.e2e.test_pacs_views import click_and_wait, save_open_server
from tests.pacs.testbed import PacsTestBed

pytestmark = pytest.mark.pacs


def linear_window(values: np.ndarray, center: float, width: float) -> np.ndarray:
    """PS3.3 C.11.2.1.2.1 LINEAR, output 0..255."""
    low = center - 0.5 - (width - 1) / 2
    high = center - 0.5 + (width - 1) / 2
    scaled = ((values - (center - 0.5)) / (width - 1) + 0.5) * 255
    out = np.where(values <= low, 0, np.where(values > high, 255, scaled))
    return out


def reference(path: Path, frame: int = 0) -> tuple[np.ndarray, pydicom.Dataset]:
    dataset = pydicom.dcmread(path)
    pixels = dataset.pixel_array
    if getattr(dataset, "NumberOfFrames", 1) > 1:
        pixels = pixels[frame]
    values = apply_modality_lut(pixels, dataset).astype(np.float64)
    center = float(np.atleast_1d(dataset.WindowCenter)[0])
    width = float(np.atleast_1d(dataset.WindowWidth)[0])
    grey = linear_window(values, center, width)
    if dataset.PhotometricInterpretation == "MONOCHROME1":
        grey = 255 - grey
    return grey, dataset


def screenshot_image(page: Any, rows: int, columns: int) -> np.ndarray:
    """The image as drawn at 1:1, cut from a screenshot of the canvas (RGB).

    The app centres the image on whole CSS pixels (app/view_geometry.py); the
    screenshot's clip may round the element's position the other way, so the cut
    is one pixel larger on each side and :func:`best_match` places the image.
    """
    page.get_by_role("button", name="1:1").click()
    canvas = page.locator("#viewport-canvas")
    left, top, width, height = canvas.evaluate(
        "c => [c.clientLeft, c.clientTop, c.clientWidth, c.clientHeight]"
    )
    shot = np.asarray(Image.open(io.BytesIO(canvas.screenshot())).convert("RGB"))
    y0 = top + round((height - rows) / 2)
    x0 = left + round((width - columns) / 2)
    return shot[y0 - 1 : y0 + rows + 1, x0 - 1 : x0 + columns + 1].astype(np.int16)


def best_match(area: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """The placement of ``expected`` in ``area`` (one pixel larger each side)."""
    rows, columns = expected.shape[:2]
    candidates = [
        area[dy : dy + rows, dx : dx + columns] for dy in range(3) for dx in range(3)
    ]
    return min(candidates, key=lambda crop: float(np.abs(crop - expected).mean()))


def canvas_pixels(page: Any, expected: np.ndarray) -> np.ndarray:
    """The grey image the canvas shows where ``expected`` should be."""
    area = screenshot_image(page, *expected.shape)
    assert (area[..., 0] == area[..., 1]).all() and (area[..., 1] == area[..., 2]).all()
    return best_match(area[..., 0], expected)


def open_ct(page: Any, pacs: PacsTestBed) -> None:
    save_open_server(page, pacs)
    ct = pacs.data.ct
    page.get_by_label("Patient ID").fill(ct.patient.patient_id)
    click_and_wait(page, "Search")
    page.locator(f'#study-rows tr[data-uid="{ct.study_uid}"]').click()
    expect(page.locator("#viewer-position")).to_have_text(
        "Image 1 / 300", timeout=30_000
    )
    # The position shows at once; data-shown only once the image is drawn.
    expect(page.locator("#viewer")).to_have_attribute(
        "data-shown", f"{ct.sop_uids[0]}:1", timeout=30_000
    )


def test_first_ct_slice_matches_pydicom(app: Any, pacs: PacsTestBed) -> None:
    page = app
    page.set_viewport_size({"width": 1400, "height": 1100})
    open_ct(page, pacs)
    expected, _ = reference(pacs.data.ct.paths[0])
    expected = np.floor(expected + 0.5)
    shown = canvas_pixels(page, expected)
    difference = np.abs(shown - expected)
    assert difference.max() <= 1, f"max difference {difference.max()}"
    # Not a flat image: the test would pass on a blank canvas otherwise.
    assert np.unique(shown).size > 20


def test_scrolling_and_window_level(app: Any, pacs: PacsTestBed) -> None:
    page = app
    page.set_viewport_size({"width": 1400, "height": 1100})
    open_ct(page, pacs)
    canvas = page.locator("#viewport-canvas")
    canvas.focus()
    for _ in range(5):
        page.keyboard.press("ArrowDown")
    expect(page.locator("#viewer-position")).to_have_text("Image 6 / 300")
    ct = pacs.data.ct
    expect(page.locator("#viewer")).to_have_attribute(
        "data-shown", f"{ct.sop_uids[5]}:1"
    )

    expected, _ = reference(ct.paths[5])
    expected = np.floor(expected + 0.5)
    assert np.abs(canvas_pixels(page, expected) - expected).max() <= 1

    before = page.locator("#viewer-window").inner_text()
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 80, y + 40, steps=4)
    page.mouse.up()
    expect(page.locator("#viewer-window")).not_to_have_text(before)


def min_max_window(values: np.ndarray) -> tuple[float, float]:
    """The viewer's window for images without one (app/imaging/pipeline.py)."""
    low, high = float(values.min()), float(values.max())
    return (low + high) / 2 + 0.5, high - low + 1


def open_study_of(page: Any, pacs: PacsTestBed, dataset: pydicom.Dataset) -> None:
    save_open_server(page, pacs)
    page.get_by_label("Patient ID").fill(dataset.PatientID)
    click_and_wait(page, "Search")
    page.locator(f'#study-rows tr[data-uid="{dataset.StudyInstanceUID}"]').first.click()
    series = page.locator(f'#series-list li[data-uid="{dataset.SeriesInstanceUID}"]')
    series.get_by_role("button").click()
    expect(page.locator("#viewer")).to_have_attribute(
        "data-shown", f"{dataset.SOPInstanceUID}:1", timeout=30_000
    )


def uploaded(pacs: PacsTestBed, name: str) -> Path:
    (entry,) = [f for f in pacs.data.pydicom_files if f.name == name]
    return entry.path


def test_rle_grey_image_is_decoded_by_pydicom_in_the_browser(
    app: Any, pacs: PacsTestBed
) -> None:
    # Stored RLE Lossless: the client asks for the stored syntax and pydicom's
    # numpy RLE decoder runs in Pyodide.
    page = app
    page.set_viewport_size({"width": 1400, "height": 1100})
    path = uploaded(pacs, "MR_small_RLE.dcm")
    dataset = pydicom.dcmread(path)
    open_study_of(page, pacs, dataset)
    expected, _ = reference(path)
    expected = np.floor(expected + 0.5)
    assert np.abs(canvas_pixels(page, expected) - expected).max() <= 1


def test_rgb_image_is_shown_as_stored(app: Any, pacs: PacsTestBed) -> None:
    page = app
    page.set_viewport_size({"width": 1400, "height": 1100})
    dataset = pydicom.dcmread(uploaded(pacs, "examples_rgb_color.dcm"))
    open_study_of(page, pacs, dataset)
    expected = dataset.pixel_array.astype(np.int16)
    crop = best_match(screenshot_image(page, dataset.Rows, dataset.Columns), expected)
    assert np.abs(crop - expected).max() <= 1
    assert np.unique(expected.reshape(-1, 3), axis=0).shape[0] > 20


def test_monochrome1_is_inverted(
    app: Any, pacs: PacsTestBed, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    page = app
    page.set_viewport_size({"width": 1400, "height": 1100})
    source = pydicom.dcmread(uploaded(pacs, "MR_small.dcm"))
    source.PhotometricInterpretation = "MONOCHROME1"
    source.PatientID = "ZHV-MONO1"
    source.StudyInstanceUID = "2.25.1000000000000000000000000000001"
    source.SeriesInstanceUID = "2.25.1000000000000000000000000000002"
    source.SOPInstanceUID = "2.25.1000000000000000000000000000003"
    source.file_meta.MediaStorageSOPInstanceUID = source.SOPInstanceUID
    source.WindowCenter, source.WindowWidth = 600, 1200
    path = tmp_path / "mono1.dcm"
    source.save_as(path, enforce_file_format=True)
    answer = pacs.request(
        f"{pacs.orthanc_url}/instances", method="POST", body=path.read_bytes()
    )
    assert answer.status == 200
    # The bed is shared by the session: leave it as the other tests expect it.
    request.addfinalizer(
        lambda: pacs.request(
            f"{pacs.orthanc_url}/patients/{answer.json()['ParentPatient']}",
            method="DELETE",
        )
    )

    open_study_of(page, pacs, pydicom.dcmread(path))
    expected, _ = reference(path)
    expected = np.floor(expected + 0.5)
    shown = canvas_pixels(page, expected)
    assert np.abs(shown - expected).max() <= 1
    # And it is not the MONOCHROME2 rendering of the same values.
    assert np.abs(shown - (255 - expected)).mean() > 50


def test_multi_frame_scrolls_through_its_frames(app: Any, pacs: PacsTestBed) -> None:
    page = app
    page.set_viewport_size({"width": 1400, "height": 1100})
    multi = pacs.data.multiframe
    dataset = pydicom.dcmread(multi.path)
    open_study_of(page, pacs, dataset)
    expect(page.locator("#viewer-position")).to_have_text("Image 1 / 100")
    page.locator("#viewport-canvas").focus()
    page.keyboard.press("End")
    expect(page.locator("#viewer")).to_have_attribute(
        "data-shown", f"{multi.sop_uid}:100"
    )
    page.keyboard.press("PageUp")
    expect(page.locator("#viewer")).to_have_attribute(
        "data-shown", f"{multi.sop_uid}:90"
    )

    # One window for the whole series (the first frame's range), frame 90 shown.
    first = apply_modality_lut(dataset.pixel_array[0], dataset).astype(np.float64)
    values = apply_modality_lut(dataset.pixel_array[89], dataset).astype(np.float64)
    expected = np.floor(linear_window(values, *min_max_window(first)) + 0.5)
    assert np.abs(canvas_pixels(page, expected) - expected).max() <= 1


def test_wado_image_rendering_reads_part10_files_over_wado_uri(
    app: Any, pacs: PacsTestBed
) -> None:
    page = app
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Create New Server").click()
    page.get_by_label("Server Name").fill("Bed over WADO-URI")
    page.get_by_label("Server URL").fill(pacs.open_base)
    page.get_by_label("QIDO Postfix").fill("rs")
    page.get_by_label("WADO Postfix").fill("rs")
    page.get_by_label("WADO URI Postfix").fill("wado")
    page.get_by_label("Image rendering protocol").select_option("wado")
    page.get_by_role("button", name="Save Settings").click()
    page.get_by_role("link", name="DICOMs").click()
    start = len(pacs.access_log_path.read_text().splitlines())

    ct = pacs.data.ct
    page.get_by_label("Patient ID").fill(ct.patient.patient_id)
    click_and_wait(page, "Search")
    page.locator(f'#study-rows tr[data-uid="{ct.study_uid}"]').click()
    expect(page.locator("#viewer")).to_have_attribute(
        "data-shown", f"{ct.sop_uids[0]}:1", timeout=30_000
    )
    expected, _ = reference(ct.paths[0])
    expected = np.floor(expected + 0.5)
    assert np.abs(canvas_pixels(page, expected) - expected).max() <= 1

    lines = pacs.access_log_path.read_text().splitlines()[start:]
    assert any(
        "/open/pacs/wado?" in line and "requestType=WADO" in line for line in lines
    )
    assert not any("/frames/" in line for line in lines)


def test_an_open_study_survives_reload_and_back(
    app: Any, pacs: PacsTestBed, site_url: str
) -> None:
    page = app
    open_ct(page, pacs)
    ct = pacs.data.ct
    expect(page).to_have_url(f"{site_url}#/dicoms/studies/{ct.study_uid}")

    page.reload()
    wait_until_booted(page)
    expect(page.locator("#viewer")).to_have_attribute(
        "data-shown", f"{ct.sop_uids[0]}:1", timeout=30_000
    )

    page.get_by_role("button", name="← Study list").click()
    expect(page).to_have_url(f"{site_url}#/dicoms")
    expect(page.locator("#study-view")).to_be_hidden()
    expect(page.locator("#study-list-area")).to_be_visible()

    page.go_back()
    expect(page.locator("#study-view")).to_be_visible()
    expect(page.locator("#viewer")).to_have_attribute(
        "data-shown", f"{ct.sop_uids[0]}:1", timeout=30_000
    )


def test_corner_overlays_name_the_patient_and_the_image(
    app: Any, pacs: PacsTestBed
) -> None:
    from app.dicomweb.records import format_person_name

    page = app
    page.set_viewport_size({"width": 1400, "height": 1100})
    open_ct(page, pacs)
    ct = pacs.data.ct
    top_left = page.locator("#viewer-overlay-top-left")
    expect(top_left).to_contain_text(format_person_name(ct.patient.name))
    expect(top_left).to_contain_text(ct.patient.patient_id)
    bottom_left = page.locator("#viewer-overlay-bottom-left")
    expect(bottom_left).to_contain_text("Im 1/300")
    expect(bottom_left).to_contain_text(" mm")
    expect(page.locator("#viewer-overlay-bottom-right")).to_contain_text("Zoom ")
    expect(page.locator("#viewer-overlay-bottom-right")).to_contain_text("W 400 L 40")

    page.locator("#viewport-canvas").focus()
    page.keyboard.press("ArrowDown")
    expect(bottom_left).to_contain_text("Im 2/300")

    # Text over the image, not in it: the pointer still reaches the canvas.
    assert top_left.evaluate("e => getComputedStyle(e).pointerEvents") == "none"


def test_cine_plays_the_multi_frame_object_and_pauses(
    app: Any, pacs: PacsTestBed
) -> None:
    page = app
    page.set_viewport_size({"width": 1400, "height": 1100})
    dataset = pydicom.dcmread(pacs.data.multiframe.path)
    open_study_of(page, pacs, dataset)
    viewer = page.locator("#viewer")

    page.get_by_role("button", name="Play").click()
    expect(page.locator("#viewer-cine")).to_have_text("Pause")
    seen = [viewer.get_attribute("data-shown")]
    for _ in range(2):
        expect(viewer).not_to_have_attribute("data-shown", seen[-1] or "")
        seen.append(viewer.get_attribute("data-shown"))
    assert len(set(seen)) == 3

    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#viewer-cine")).to_have_text("Play")
    paused = viewer.get_attribute("data-shown")
    page.wait_for_timeout(500)
    assert viewer.get_attribute("data-shown") == paused

    # And the P key plays again from the canvas.
    page.locator("#viewport-canvas").focus()
    page.keyboard.press("p")
    expect(viewer).not_to_have_attribute("data-shown", paused or "")
    page.keyboard.press("p")
    expect(page.locator("#viewer-cine")).to_have_text("Play")
