"""The one place where errors and notices become sentences in the page.

Core errors carry their own plain message (``user_message()`` for DICOMweb
errors, ``str()`` for settings errors); anything else is a bug, shown as a short
apology while the traceback goes to the console only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from app.browser import dom, files
from app.dicomweb.errors import DicomwebError
from app.settings.errors import SettingsError
from app.settings.notices import Notice
from app.settings.service import SettingsService

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """A notice made by a view: ``level`` is info, success, warning or error."""

    level: str
    text: str


def info(text: str) -> Message:
    return Message("info", text)


def success(text: str) -> Message:
    return Message("success", text)


def error(text: str) -> Message:
    return Message("error", text)


def describe(problem: BaseException) -> str:
    """A sentence the user can act on, for any error a view may meet."""
    if isinstance(problem, DicomwebError):
        return problem.user_message()
    if isinstance(problem, SettingsError):
        return str(problem)
    return (
        f"Something went wrong in the viewer ({type(problem).__name__}). Your saved "
        "settings are unchanged. Reload the page to continue; the browser's developer "
        "console has the details."
    )


def reporter(container: Any) -> Callable[[BaseException], None]:
    """An error handler for event listeners that shows the error in ``container``."""

    def report(problem: BaseException) -> None:
        render(container, (error(describe(problem)),))

    return report


def render(
    container: Any,
    notices: Iterable[Notice | Message],
    service: SettingsService | None = None,
) -> None:
    """Replace what ``container`` shows with these notices."""
    dom.clear(container)
    for notice in notices:
        level = notice.level if isinstance(notice, Message) else notice.level.value
        text = notice.text if isinstance(notice, Message) else notice.message
        box = dom.create("div", class_=f"notice {level}")
        box.setAttribute("role", "alert" if level in ("error", "warning") else "status")
        box.append(dom.create("span", text))
        backup_key = getattr(notice, "backup_key", None)
        if backup_key and service is not None:
            box.append(_backup_button(backup_key, service))
        container.append(box)


def _backup_button(key: str, service: SettingsService) -> Any:
    button = dom.create("button", "Download the kept text", type="button")

    def download(_event: Any) -> None:
        text = service.read_backup(key)
        if text is not None:
            files.download(f"{key}.txt", text, "text/plain")

    dom.on(button, "click", download)
    return button
