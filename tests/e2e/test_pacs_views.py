"""Settings > Servers' connection test and the DICOMs study list against the test bed."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.pacs.testbed import PacsTestBed

pytestmark = pytest.mark.pacs


def open_servers(page: Any) -> None:
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Selected Server")).to_be_visible()


def enter_server(
    page: Any, name: str, url: str, auth: str = "None", **secret: str
) -> None:
    page.get_by_role("button", name="Create New Server").click()
    page.get_by_label("Server Name").fill(name)
    page.get_by_label("Server URL").fill(url)
    page.get_by_label("QIDO Postfix").fill("rs")
    page.get_by_label("WADO Postfix").fill("rs")
    page.get_by_label("WADO URI Postfix").fill("wado")
    page.get_by_label("Authentication Type").select_option(label=auth)
    if auth == "Basic Auth":
        page.get_by_label("User", exact=True).fill(secret["user"])
        page.get_by_label("Password").fill(secret["password"])
    elif auth == "Bearer Token":
        page.get_by_label("Token").fill(secret["token"])


def run_connection_test(page: Any) -> Any:
    page.get_by_role("button", name="Test connection").click()
    result = page.locator("#connection-result .notice")
    expect(result).not_to_contain_text("Testing…", timeout=30_000)
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_connection_outcomes(app: Any, pacs: PacsTestBed) -> None:
    page = app
    open_servers(page)

    enter_server(
        page,
        "Bed",
        pacs.tls_base,
        "Basic Auth",
        user=pacs.username,
        password=pacs.password,
    )
    result = run_connection_test(page)
    expect(result).to_have_attribute("data-outcome", "success")
    expect(result).to_contain_text("Connected in")
    expect(result).to_contain_text("honoured includefield")

    page.get_by_label("Password").fill("not-the-password")
    result = run_connection_test(page)
    expect(result).to_have_attribute("data-outcome", "credentials-refused")
    expect(result).to_contain_text("HTTP 401")

    page.get_by_label("Password").fill(pacs.password)
    # A path nginx passes on, which Orthanc does not know (a path outside nginx's
    # locations gets a 404 without CORS headers: the page sees no answer at all).
    page.get_by_label("QIDO Postfix").fill("rs/nothing-here")
    result = run_connection_test(page)
    expect(result).to_have_attribute("data-outcome", "not-found")
    expect(result).to_contain_text(f"{pacs.tls_base}/rs/nothing-here/studies")

    page.get_by_label("QIDO Postfix").fill("rs")
    page.get_by_label("Server URL").fill(f"http://127.0.0.1:{free_port()}/zhiva/pacs")
    result = run_connection_test(page)
    expect(result).to_have_attribute("data-outcome", "no-answer")
    expect(result.locator("li")).to_have_count(3)

    enter_server(page, "Token bed", pacs.bearer_base, "Bearer Token", token=pacs.token)
    page.get_by_label("QIDO Supports Include Field").uncheck()
    result = run_connection_test(page)
    expect(result).to_have_attribute("data-outcome", "success")
    # The server did honour includefield: offer to set the box from that.
    result.get_by_role("button", name="Set QIDO Supports Include Field on").click()
    expect(page.get_by_label("QIDO Supports Include Field")).to_be_checked()


def searches_done(page: Any) -> int:
    return int(
        page.evaluate("document.getElementById('view-dicoms').dataset.searches || 0")
    )


def click_and_wait(page: Any, button: str) -> None:
    """Click a button of the study list and wait until its search has answered."""
    before = searches_done(page)
    page.get_by_role("button", name=button).click()
    page.wait_for_function(
        f"Number(document.getElementById('view-dicoms').dataset.searches) > {before}"
    )


def save_open_server(page: Any, pacs: PacsTestBed) -> None:
    open_servers(page)
    enter_server(page, "Open bed", pacs.open_base)
    page.get_by_role("button", name="Save Settings").click()
    expect(page.locator("#server-badge")).to_have_text("Server: Open bed")
    page.get_by_role("link", name="DICOMs").click()


def test_saved_server_feeds_the_study_list_with_paging(
    app: Any, pacs: PacsTestBed
) -> None:
    page = app
    save_open_server(page, pacs)
    status = page.locator("#study-status")
    expect(status).to_have_text("Studies 1–25 (more follow)", timeout=30_000)
    rows = page.locator("#study-rows tr")
    expect(rows).to_have_count(25)
    # Whole rows, not UIDs: Orthanc splits one pydicom study whose files disagree on
    # a trailing space in PatientID into two studies with one StudyInstanceUID.
    first_page = rows.all_inner_texts()

    click_and_wait(page, "Next page")
    expect(status).to_have_text("Studies 26–50 (more follow)")
    second_page = rows.all_inner_texts()
    assert len(set(first_page) | set(second_page)) == 50

    page.get_by_role("button", name="Previous page").click()
    expect(status).to_have_text("Studies 1–25 (more follow)")


def test_names_with_accents_and_spaces_are_found(app: Any, pacs: PacsTestBed) -> None:
    page = app
    save_open_server(page, pacs)
    expect(page.locator("#study-status")).to_contain_text("Studies", timeout=30_000)

    page.get_by_label("Patient Name").fill("Müller")
    click_and_wait(page, "Search")
    rows = page.locator("#study-rows tr")
    expect(rows.first).to_contain_text("Müller, Jürgen")
    names = rows.locator("td:first-child").all_inner_texts()
    assert names and all(name.startswith("Müller") for name in names)

    page.get_by_label("Patient Name").fill("van der Berg")
    click_and_wait(page, "Search")
    expect(rows.first).to_contain_text("van der Berg, Anna Maria")


def test_opening_a_study_lists_its_series(app: Any, pacs: PacsTestBed) -> None:
    page = app
    save_open_server(page, pacs)
    ct = pacs.data.ct
    page.get_by_label("Patient ID").fill(ct.patient.patient_id)
    click_and_wait(page, "Search")
    row = page.locator(f'#study-rows tr[data-uid="{ct.study_uid}"]')
    row.click()
    expect(page.locator("#series-list li").first).to_contain_text("300 instances")
