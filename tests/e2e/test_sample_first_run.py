"""A first run with a fresh profile: the Sample Server preset and serve.py's sample.

The preset points at http://127.0.0.1:8000/sample, where ``python3 serve.py``
listens by default. Here serve.py runs on a free port, so the test does what the
startup line of serve.py tells a user on another port to do: add the same server
on this port in Settings > Servers.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

SAMPLE_SERVER_ID = "65bc1aa4-ee81-415e-9237-8c8d78eb921b"
SAMPLE_PATIENTS = ["O'Brien, Siobhan", "Muster, Jürgen", "Doe, Jane"]


def searches_done(page: Any) -> int:
    return int(
        page.evaluate("document.getElementById('view-dicoms').dataset.searches || 0")
    )


def search(page: Any) -> None:
    """Press Search and wait until that search has answered."""
    before = searches_done(page)
    page.get_by_role("button", name="Search").click()
    page.wait_for_function(
        f"Number(document.getElementById('view-dicoms').dataset.searches) > {before}"
    )


def test_the_sample_preset_is_selected_and_the_sample_studies_show(
    app: Any, site_url: str
) -> None:
    page = app
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Selected Server")).to_have_value(SAMPLE_SERVER_ID)
    expect(page.locator("#server-badge")).to_have_text("Server: Sample Server")

    page.get_by_role("button", name="Create New Server").click()
    page.get_by_label("Server Name").fill("Sample on this port")
    page.get_by_label("Server URL").fill(f"{site_url}sample")
    page.get_by_label("QIDO Postfix").fill("rs")
    page.get_by_label("WADO Postfix").fill("rs")
    expect(page.locator("#roots-qido")).to_have_text(f"{site_url}sample/rs")
    page.get_by_role("button", name="Test connection").click()
    result = page.locator("#connection-result .notice")
    expect(result).to_have_attribute("data-outcome", "success", timeout=30_000)
    page.get_by_role("button", name="Save Settings").click()
    expect(page.locator("#server-badge")).to_have_text("Server: Sample on this port")

    page.get_by_role("link", name="DICOMs").click()
    expect(page.locator("#study-status")).to_have_text("Studies 1–3", timeout=30_000)
    rows = page.locator("#study-rows tr")
    expect(rows).to_have_count(3)
    assert rows.locator("td:first-child").all_inner_texts() == SAMPLE_PATIENTS
    expect(rows.nth(1)).to_contain_text("CT Thorax phantom")
    expect(rows.nth(1)).to_contain_text("CT, OT")
    expect(rows.nth(1)).to_contain_text("2 / 41")

    page.get_by_label("Patient Name").fill("Jürgen")
    search(page)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Muster, Jürgen")
    expect(rows.first).to_contain_text("2024-03-12")

    # Its series, with thumbnails rendered by the sample server (PNG).
    rows.first.click()
    series = page.locator("#series-list li")
    expect(series).to_have_count(2)
    expect(series.nth(0)).to_contain_text("CT Thorax 5.0 mm")
    expect(series.nth(1)).to_contain_text("OT Colour test pattern")
    for index in range(2):
        expect(series.nth(index).locator("img")).to_have_attribute(
            "src", re.compile(r"^blob:"), timeout=30_000
        )
