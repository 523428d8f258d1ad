"""What the page says when a server is down, refuses, or answers garbage.

A clear sentence in the page, never a Python traceback, and the saved settings stay.
Garbage answers are made with Playwright's routing, for URLs on loopback, so no
request leaves the machine.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_pacs_views import click_and_wait, enter_server, open_servers
from tests.pacs.testbed import PacsTestBed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_server(
    page: Any, name: str, url: str, auth: str = "None", **secret: str
) -> None:
    open_servers(page)
    enter_server(page, name, url, auth, **secret)
    page.get_by_role("button", name="Save Settings").click()
    expect(page.locator("#server-badge")).to_have_text(f"Server: {name}")
    page.get_by_role("link", name="DICOMs").click()


def notice(page: Any) -> Any:
    return page.locator("#dicoms-notices .notice.error")


def test_a_server_that_is_down(app: Any) -> None:
    page = app
    use_server(page, "Down", f"http://127.0.0.1:{free_port()}/pacs")
    expect(notice(page)).to_contain_text("could not read an answer", timeout=30_000)
    expect(notice(page)).not_to_contain_text("Traceback")
    expect(page.locator("#study-table")).to_be_hidden()


def test_a_server_that_answers_garbage(app: Any) -> None:
    page = app
    port = free_port()
    page.route(
        f"http://127.0.0.1:{port}/**",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Access-Control-Allow-Origin": "*"},
            body="<html><body>Please log in</body></html>",
        ),
    )
    use_server(page, "Garbage", f"http://127.0.0.1:{port}/pacs")
    expect(notice(page)).to_be_visible(timeout=30_000)
    text = notice(page).inner_text()
    assert "not valid JSON" in text or "not DICOM JSON" in text, text
    assert "Traceback" not in text


@pytest.mark.pacs
def test_a_wrong_password(app: Any, pacs: PacsTestBed) -> None:
    page = app
    use_server(
        page, "Bed", pacs.tls_base, "Basic Auth", user=pacs.username, password="wrong"
    )
    expect(notice(page)).to_contain_text("401", timeout=30_000)
    expect(notice(page)).to_contain_text("password")


@pytest.mark.pacs
def test_a_corrupt_frame_is_reported_in_the_viewer(app: Any, pacs: PacsTestBed) -> None:
    page = app
    # The frames of the CT arrive cut short: a multipart body without its end.
    page.route(
        "**/frames/**",
        lambda route: route.fulfill(
            status=200,
            headers={
                "Content-Type": 'multipart/related; type="application/octet-stream"; '
                "boundary=B",
                "Access-Control-Allow-Origin": "*",
            },
            body=b"--B\r\nContent-Type: application/octet-stream\r\n\r\n" + b"\0" * 99,
        ),
    )
    use_server(page, "Bed", pacs.open_base)
    ct = pacs.data.ct
    page.get_by_label("Patient ID").fill(ct.patient.patient_id)
    click_and_wait(page, "Search")
    page.locator(f'#study-rows tr[data-uid="{ct.study_uid}"]').click()
    message = page.locator("#viewer-notices .notice.error")
    expect(message).to_be_visible(timeout=30_000)
    assert "Traceback" not in message.inner_text()
    expect(page.locator("#viewer")).to_have_attribute("data-shown", "")


def test_a_new_search_aborts_the_one_still_running(app: Any) -> None:
    page = app
    port = free_port()
    hanging: list[Any] = []

    def answer(route: Any) -> None:
        if "PatientName=first" in route.request.url:
            hanging.append(route)  # never answered: the search hangs
            return
        route.fulfill(
            status=200,
            headers={
                "Content-Type": "application/dicom+json",
                "Access-Control-Allow-Origin": "*",
            },
            body="[]",
        )

    page.route(f"http://127.0.0.1:{port}/**", answer)
    aborted: list[str] = []
    page.on(
        "requestfailed",
        lambda request: (
            "ERR_ABORTED" in (request.failure or "") and aborted.append(request.url)
        ),
    )
    use_server(page, "Slow", f"http://127.0.0.1:{port}/pacs")
    expect(page.locator("#study-status")).to_have_text("No studies match.")

    page.get_by_label("Patient Name").fill("first")
    page.get_by_role("button", name="Search").click()
    page.wait_for_function(
        "document.getElementById('study-status').textContent === 'Searching…'"
    )
    page.get_by_label("Patient Name").fill("second")
    click_and_wait(page, "Search")
    expect(page.locator("#study-status")).to_have_text("No studies match.")
    page.wait_for_timeout(300)
    assert hanging, "the first search never reached the server"
    assert any("PatientName=first" in url for url in aborted), aborted
