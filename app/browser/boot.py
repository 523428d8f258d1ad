"""Tell the boot screen (assets/boot.js) that the app is ready, or why it is not."""

from __future__ import annotations

import js
from pyodide.ffi import to_js


def mark_ready() -> None:
    js.window.zhivaBoot.ready()


def fail(title: str, message: str, checks: list[str] | None = None) -> None:
    js.window.zhivaBoot.fail(title, message, to_js(checks or []))
