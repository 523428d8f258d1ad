"""Files of the viewer's own site, such as the organisation's server list."""

from __future__ import annotations

import logging

import js
from pyodide.ffi import JsException

logger = logging.getLogger(__name__)


async def fetch_text(path: str) -> str | None:
    """The text of a file of this site, or None when it cannot be had (logged)."""
    try:
        # no-cache: an administrator's edit of the file shows on the next visit.
        answer = await js.fetch(path, js.Object.fromEntries([["cache", "no-cache"]]))
        if not answer.ok:
            logger.warning("%s: HTTP %s", path, answer.status)
            return None
        return str(await answer.text())
    except JsException as error:
        logger.warning("%s could not be read: %s", path, error)
        return None
