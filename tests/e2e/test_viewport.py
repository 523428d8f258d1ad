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


def canvas_pixels(page: Any, rows: int, columns: int) -> np.ndarray:
    """The image as drawn: a screenshot of the canvas at 1:1, cropped to the image."""
    page.get_by_role("button", name="1:1").click()
    canvas = page.locator("#viewport-canvas")
    border_left, border_top, width, height = canvas.evaluate(
        "c => [c.clientLeft, c.clientTop, c.clientWidth, c.clientHeight]"
    )
    shot = np.asarray(Image.open(io.BytesIO(canvas.screenshot())).convert("RGB"))
    # The image is centred on whole pixels (app/view_geometry.py), inside the
    # canvas's border.
    top = border_top + round((height - rows) / 2)
    left = border_left + round((width - columns) / 2)
    crop = shot[top : top + rows, left : left + columns].astype(np.int16)
    assert crop.shape == (rows, columns, 3)
    assert (crop[..., 0] == crop[..., 1]).all() and (crop[..., 1] == crop[..., 2]).all()
    return crop[..., 0]


def open_ct(page: Any, pacs: PacsTestBed) -> None:
    save_open_server(page, pacs)
    ct = pacs.data.ct
    page.get_by_label("Patient ID").fill(ct.patient.patient_id)
    click_and_wait(page, "Search")
    page.locator(f'#study-rows tr[data-uid="{ct.study_uid}"]').click()
    expect(page.locator("#viewer-position")).to_have_text(
        "Image 1 / 300", timeout=30_000
    )


def test_first_ct_slice_matches_pydicom(app: Any, pacs: PacsTestBed) -> None:
    page = app
    page.set_viewport_size({"width": 1400, "height": 1100})
    open_ct(page, pacs)
    expected, dataset = reference(pacs.data.ct.paths[0])
    shown = canvas_pixels(page, dataset.Rows, dataset.Columns)
    difference = np.abs(shown - np.rint(expected))
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

    expected, dataset = reference(ct.paths[5])
    shown = canvas_pixels(page, dataset.Rows, dataset.Columns)
    assert np.abs(shown - np.rint(expected)).max() <= 1

    before = page.locator("#viewer-window").inner_text()
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 80, y + 40, steps=4)
    page.mouse.up()
    expect(page.locator("#viewer-window")).not_to_have_text(before)
