"""The key-value store the settings are kept in, and an in-memory one for tests.

The browser layer implements ``KeyValueStore`` with ``localStorage`` (persistent) and
``sessionStorage`` (this tab's session); nothing in the core touches the browser.
"""

from __future__ import annotations

from typing import Protocol

from app.settings.errors import StorageQuotaError


class KeyValueStore(Protocol):
    """Text values under text keys, like the Web Storage API."""

    def get_item(self, key: str) -> str | None:
        """The value under ``key``, or ``None`` when there is none."""
        ...

    def set_item(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``.

        Raises ``StorageQuotaError`` when the store is full; the earlier value under
        ``key`` must then be left as it was (``localStorage.setItem`` behaves so).
        """
        ...

    def remove_item(self, key: str) -> None:
        """Remove ``key``; nothing happens when it is absent."""
        ...

    def keys(self) -> list[str]:
        """Every key in the store."""
        ...


class MemoryStore:
    """A ``KeyValueStore`` in a dict, with an optional quota to test a full store.

    ``quota`` is the most characters (keys plus values) the store may hold, as browsers
    count the size of ``localStorage``; ``None`` means no limit.
    """

    def __init__(
        self, items: dict[str, str] | None = None, quota: int | None = None
    ) -> None:
        self.items: dict[str, str] = dict(items or {})
        self.quota = quota

    def get_item(self, key: str) -> str | None:
        return self.items.get(key)

    def set_item(self, key: str, value: str) -> None:
        if self.quota is not None:
            others = sum(len(k) + len(v) for k, v in self.items.items() if k != key)
            if others + len(key) + len(value) > self.quota:
                raise StorageQuotaError(key)
        self.items[key] = value

    def remove_item(self, key: str) -> None:
        self.items.pop(key, None)

    def keys(self) -> list[str]:
        return list(self.items)
