#!/usr/bin/env python3
"""Boot benchmark: how fast the viewer starts in headless Chromium.

Loads the page N times cold (a fresh browser profile each time: nothing cached)
and N times warm (one persistent profile, after a first visit filled its caches),
and prints medians and ranges of three moments, in seconds after navigation:

* shell painted: first contentful paint of the HTML/CSS frame;
* Python ready: PyScript's ``py:ready`` (Pyodide and packages loaded);
* interactive: the app has shown its first view and marked itself ready;
* numpy, Pillow, pydicom loaded: the background load after the first view ended.

Run with the test tools installed (``.venv``): ``.venv/bin/python scripts/bench_boot.py``.
This is a measurement, not a test: it prints a table and asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

MOMENTS = (
    ("shell painted", "shellPainted"),
    ("Python ready", "pythonReady"),
    ("interactive", "interactive"),
    ("numpy, Pillow, pydicom loaded", "imagingLoaded"),
)


def start_site() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "serve.py"), "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    return process, line.split("at ", 1)[1].split()[0]


def load_once(context, url: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("document.documentElement.dataset.boot", timeout=90_000)
    if page.evaluate("document.documentElement.dataset.boot") != "ready":
        raise SystemExit("boot failed: " + page.inner_text("#boot-panel"))
    page.wait_for_function("window.zhivaBoot.times.imagingLoaded", timeout=90_000)
    times = page.evaluate("window.zhivaBoot.times")
    page.close()
    return {key: times[key] / 1000 for _, key in MOMENTS if key in times}


def run(runs: int, url: str) -> dict[str, list[dict[str, float]]]:
    results: dict[str, list[dict[str, float]]] = {"cold": [], "warm": []}
    with sync_playwright() as playwright:
        chromium = playwright.chromium
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as profile:
                context = chromium.launch_persistent_context(
                    profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
                )
                results["cold"].append(load_once(context, url))
                context.close()
        with tempfile.TemporaryDirectory() as profile:
            context = chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            load_once(context, url)  # fills the HTTP cache and PyScript's storage
            for _ in range(runs):
                results["warm"].append(load_once(context, url))
            context.close()
    return results


def table(results: dict[str, list[dict[str, float]]]) -> str:
    lines = [
        "| load | moment | median (s) | range (s) | runs |",
        "|---|---|---|---|---|",
    ]
    for kind, samples in results.items():
        for label, key in MOMENTS:
            values = [sample[key] for sample in samples if key in sample]
            if not values:
                continue
            lines.append(
                f"| {kind} | {label} | {statistics.median(values):.2f} | "
                f"{min(values):.2f}-{max(values):.2f} | {len(values)} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="Boot benchmark in headless Chromium.")
    parser.add_argument(
        "--runs", type=int, default=5, help="loads per kind (default 5)"
    )
    args = parser.parse_args()
    process, url = start_site()
    try:
        print(table(run(args.runs, url)))
    finally:
        process.terminate()
        process.wait(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
