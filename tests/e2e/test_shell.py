"""The app shell: boot, navigation, reload on a route, and a clean page."""

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import PageLog, wait_until_booted


def test_boot_shows_the_dicoms_view_and_navigates_both_ways(
    app: Any, page_log: PageLog, site_url: str
) -> None:
    page = app
    expect(page.locator("#boot-panel")).to_be_hidden()
    expect(page.get_by_role("heading", name="DICOMs")).to_be_visible()
    expect(page.get_by_role("link", name="DICOMs")).to_have_attribute(
        "aria-current", "page"
    )

    page.get_by_role("link", name="Settings").click()
    expect(page).to_have_url(f"{site_url}#/settings/servers")
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    expect(page.locator("#view-dicoms")).to_be_hidden()
    expect(page.get_by_role("link", name="Settings")).to_have_attribute(
        "aria-current", "page"
    )

    page.get_by_role("link", name="DICOMs").click()
    expect(page).to_have_url(f"{site_url}#/dicoms")
    expect(page.locator("#view-settings")).to_be_hidden()

    page.go_back()
    expect(page).to_have_url(f"{site_url}#/settings/servers")
    expect(page.locator("#view-settings")).to_be_visible()

    # Every request of the boot went to the site itself, none to a CDN.
    assert page_log.requests and page_log.off_loopback() == []
    assert any("pyodide.asm.wasm" in url for url in page_log.requests)


def test_reload_on_a_route_keeps_it(app: Any, site_url: str) -> None:
    page = app
    page.goto(f"{site_url}#/settings")
    expect(page).to_have_url(f"{site_url}#/settings/servers")
    page.reload()
    wait_until_booted(page)
    expect(page.locator("#view-settings")).to_be_visible()
    expect(page.locator("#view-dicoms")).to_be_hidden()


def test_unknown_route_says_so(app: Any, site_url: str) -> None:
    page = app
    page.goto(f"{site_url}#/nowhere")
    expect(page.locator("#not-found-text")).to_contain_text("#/nowhere")


def test_numpy_and_pydicom_load_in_the_background(app: Any) -> None:
    page = app
    page.wait_for_function("window.zhivaBoot.times.imagingLoaded", timeout=60_000)
    assert page.evaluate("window.zhivaBoot.times.imagingLoaded") > page.evaluate(
        "window.zhivaBoot.times.interactive"
    )


def test_a_runtime_that_cannot_load_is_explained_in_the_page(
    page: Any, page_log: PageLog, site_url: str
) -> None:
    # The site is served, but the Python runtime's wasm is not (a broken deploy).
    page.route("**/pyodide.asm.wasm", lambda route: route.fulfill(status=404, body=""))
    page.goto(site_url)
    page.wait_for_function("document.documentElement.dataset.boot", timeout=60_000)
    assert page.evaluate("document.documentElement.dataset.boot") == "failed"
    panel = page.locator("#boot-panel")
    expect(panel).to_contain_text("The viewer could not start")
    expect(panel).to_contain_text("pyodide.asm.wasm (HTTP 404)")
    expect(panel).to_contain_text("python3 serve.py")
    expect(panel).not_to_contain_text("Traceback")
    # The frame stays usable: the navigation is still there.
    expect(page.get_by_role("link", name="Settings")).to_be_visible()
