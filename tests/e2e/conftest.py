"""Browser test harness: the real site from serve.py, Debian's Chromium, no downloads.

pytest-playwright provides the ``browser``/``context``/``page`` fixtures; these
fixtures point it at /usr/bin/chromium (``playwright install`` is never run) and
keep every request on loopback.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
BOOT_TIMEOUT_MS = 60_000
CORS_BLOCKED = re.compile(r"Access to fetch at '([^']+)' from origin")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    # Chromium resolves Google hosts on its own even with the flags above; this
    # keeps every lookup but loopback from leaving the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any],
) -> dict[str, Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (see .ci/run)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "ignore_https_errors": True}


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    """The viewer served by serve.py on a free loopback port, stopped at the end."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "serve.py"), "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        if "http://" not in line:
            process.kill()
            error = process.stderr.read() if process.stderr else ""
            pytest.fail(f"serve.py did not start: {line}{error}")
        yield line.split("at ", 1)[1].split()[0]
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class PageLog:
    """What the page did: console errors and every URL it requested.

    A request to a PACS that is down, refuses the credentials or is not allowed by
    CORS makes Chromium log a console error; those are kept apart, since the page
    itself reports them to the user. A failed load of the site's own files is an
    error.
    """

    site_url: str = ""
    console_errors: list[str] = field(default_factory=list)
    pacs_load_failures: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        source = (message.location or {}).get("url", "")
        failed_load = message.text.startswith("Failed to load resource")
        blocked = CORS_BLOCKED.match(message.text)
        if blocked:
            failed_load, source = True, blocked.group(1)
        if failed_load and source and not source.startswith(self.site_url):
            self.pacs_load_failures.append(f"{source}: {message.text}")
        else:
            self.console_errors.append(message.text)

    def off_loopback(self) -> list[str]:
        return [url for url in self.requests if not is_loopback(url)]


@pytest.fixture
def page_log(page: Any, site_url: str) -> PageLog:
    log = PageLog(site_url=site_url)
    page.on("console", log.on_console)
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    page.on("request", lambda request: log.requests.append(request.url))
    return log


def wait_until_booted(page: Any) -> None:
    """Wait for the app to mark itself ready (assets/boot.js); fail on boot failure."""
    page.wait_for_function(
        "document.documentElement.dataset.boot !== undefined", timeout=BOOT_TIMEOUT_MS
    )
    state = page.evaluate("document.documentElement.dataset.boot")
    if state != "ready":
        pytest.fail("boot failed: " + page.inner_text("#boot-panel"))


@pytest.fixture
def app(page: Any, page_log: PageLog, site_url: str) -> Iterator[Any]:
    """A page with the viewer booted; checks after the test that it stayed clean."""
    page.goto(site_url)
    wait_until_booted(page)
    yield page
    assert page_log.page_errors == []
    assert page_log.console_errors == []
    assert page_log.off_loopback() == []
