"""JPEG Baseline frames are decoded in the page by pydicom with Pyodide's Pillow."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pydicom
import pytest
from playwright.sync_api import expect

from tests.e2e.test_pacs_views import click_and_wait, save_open_server
from tests.e2e.test_viewport import (
    best_match,
    screenshot_image,
    uploaded,
)
from tests.pacs.testbed import PacsTestBed

pytestmark = pytest.mark.pacs

JPEG_BASELINE = "1.2.840.10008.1.2.4.50"


def show_instance(page: Any, pacs: PacsTestBed, dataset: pydicom.Dataset) -> None:
    """Open the file's series and scroll to it (pydicom's files share series)."""
    save_open_server(page, pacs)
    page.get_by_label("Patient ID").fill(dataset.PatientID)
    click_and_wait(page, "Search")
    page.locator(f'#study-rows tr[data-uid="{dataset.StudyInstanceUID}"]').first.click()
    series = page.locator(f'#series-list li[data-uid="{dataset.SeriesInstanceUID}"]')
    series.get_by_role("button").click()
    viewer = page.locator("#viewer")
    expect(page.locator("#viewer-position")).to_contain_text(
        "Image 1 /", timeout=30_000
    )
    total = int(page.locator("#viewer-position").inner_text().split("/")[1])
    page.locator("#viewport-canvas").focus()
    wanted = f"{dataset.SOPInstanceUID}:1"
    for _ in range(total):
        page.wait_for_function("document.getElementById('viewer').dataset.shown")
        if viewer.get_attribute("data-shown") == wanted:
            return
        before = viewer.get_attribute("data-shown")
        page.keyboard.press("ArrowDown")
        page.wait_for_function(
            f"document.getElementById('viewer').dataset.shown !== {json.dumps(before)}"
        )
    raise AssertionError(f"{wanted} is not in the series")


def test_jpeg_baseline_is_decodable_in_the_page(app: Any) -> None:
    page = app
    page.wait_for_function("window.zhivaBoot.times.imagingLoaded", timeout=60_000)
    code = (
        "import json\n"
        "from app.imaging.decode import decodable_transfer_syntaxes\n"
        "json.dumps(sorted(decodable_transfer_syntaxes()))"
    )
    syntaxes = json.loads(page.evaluate("code => window.zhivaRunPython(code)", code))
    assert JPEG_BASELINE in syntaxes


def test_a_jpeg_baseline_image_matches_pydicom(app: Any, pacs: PacsTestBed) -> None:
    page = app
    page.set_viewport_size({"width": 1400, "height": 1100})
    path = uploaded(pacs, "SC_rgb_dcmtk_+eb+cr.dcm")
    dataset = pydicom.dcmread(path)
    assert dataset.file_meta.TransferSyntaxUID == JPEG_BASELINE
    page.wait_for_function("window.zhivaBoot.times.imagingLoaded", timeout=60_000)
    show_instance(page, pacs, dataset)
    expected = dataset.pixel_array.astype(np.int16)
    crop = best_match(screenshot_image(page, dataset.Rows, dataset.Columns), expected)
    # Pillow 10.2 in Pyodide and the test tools' Pillow may round the colour
    # transform differently by a level.
    assert np.abs(crop - expected).max() <= 2
