"""``localStorage`` and ``sessionStorage`` as the settings core's ``KeyValueStore``."""

from __future__ import annotations

from typing import Any

import js
from pyodide.ffi import JsException

from app.settings.errors import StorageQuotaError


class WebStorage:
    """One Web Storage area (``js.localStorage`` or ``js.sessionStorage``)."""

    def __init__(self, area: Any) -> None:
        self.area = area

    def get_item(self, key: str) -> str | None:
        value = self.area.getItem(key)
        return None if value is None else str(value)

    def set_item(self, key: str, value: str) -> None:
        try:
            self.area.setItem(key, value)
        except JsException as error:
            # Browsers raise a DOMException named QuotaExceededError when the
            # origin's storage is full; setItem then leaves the old value intact.
            if "Quota" in str(error.name) or "quota" in str(error):
                raise StorageQuotaError(key) from None
            raise

    def remove_item(self, key: str) -> None:
        self.area.removeItem(key)

    def keys(self) -> list[str]:
        return [str(self.area.key(index)) for index in range(int(self.area.length))]


def local_storage() -> WebStorage:
    return WebStorage(js.localStorage)


def session_storage() -> WebStorage:
    return WebStorage(js.sessionStorage)
