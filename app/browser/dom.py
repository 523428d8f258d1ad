"""Small helpers over the DOM, so views read as Python and never leak proxies."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import js
from pyodide.ffi import create_proxy

logger = logging.getLogger(__name__)

document = js.document
window = js.window

# Event listeners live as long as the page; keeping their proxies here stops
# Pyodide from destroying them and is what makes a later remove possible.
_listeners: list[Any] = []
_tasks: set[asyncio.Task[Any]] = set()


def by_id(element_id: str) -> Any:
    """Return the element with this id; a missing id is a bug in index.html."""
    element = document.getElementById(element_id)
    if element is None:
        raise LookupError(f"index.html has no element with id {element_id!r}")
    return element


def create(tag: str, text: str | None = None, **attributes: str) -> Any:
    """Create an element; text is set as text, never parsed as HTML."""
    element = document.createElement(tag)
    if text is not None:
        element.textContent = text
    for name, value in attributes.items():
        element.setAttribute(name.rstrip("_").replace("_", "-"), value)
    return element


def clear(element: Any) -> None:
    element.replaceChildren()


def on(
    target: Any,
    event: str,
    handler: Callable[[Any], Awaitable[None] | None],
    on_error: Callable[[BaseException], None] | None = None,
) -> None:
    """Listen to a DOM event; async handlers run as tasks, errors are reported."""

    def listener(event_object: Any) -> None:
        try:
            result = handler(event_object)
        except Exception as error:  # the page must never show a traceback
            _report(error, on_error)
            return
        if asyncio.iscoroutine(result):
            spawn(result, on_error)

    proxy = create_proxy(listener)
    target.addEventListener(event, proxy)
    _listeners.append(proxy)


def spawn(
    coroutine: Awaitable[Any], on_error: Callable[[BaseException], None] | None = None
) -> asyncio.Task[Any]:
    """Run a coroutine as a task that is kept alive and whose errors are reported."""
    task = asyncio.ensure_future(coroutine)
    _tasks.add(task)

    def finished(done: asyncio.Task[Any]) -> None:
        _tasks.discard(done)
        if done.cancelled():
            return
        error = done.exception()
        if error is not None:
            _report(error, on_error)

    task.add_done_callback(finished)
    return task


def _report(
    error: BaseException, on_error: Callable[[BaseException], None] | None
) -> None:
    logger.error("unhandled error in an event handler", exc_info=error)
    if on_error is not None:
        on_error(error)


def location_hash() -> str:
    return str(window.location.hash)


def set_location_hash(value: str, replace: bool = False) -> None:
    if replace:
        window.history.replaceState(None, "", value)
    else:
        window.location.hash = value
