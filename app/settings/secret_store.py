"""Passwords and tokens, kept apart from the server records.

A secret lives in the session store (the browser's ``sessionStorage``: gone when the tab
closes) unless the user ticked "Remember on this device"; then it lives in the
persistent store (``localStorage``). Either way it is keyed by the server UUID and never
written into the settings document.
"""

from __future__ import annotations

from app.settings.store import KeyValueStore

SECRET_KEY_PREFIX = "zhiva.secret."
MASK = "••••"
# Below this length, showing the last two characters would give away too much.
_SHOW_TAIL_FROM = 12


def secret_key(server_id: str) -> str:
    """The store key of the secret of ``server_id``."""
    return SECRET_KEY_PREFIX + server_id


def mask_secret(secret: str) -> str:
    """What the page may show of a secret: "••••" plus the last two characters of a
    long one, "••••" for a short one, and "" when there is no secret at all."""
    if not secret:
        return ""
    if len(secret) >= _SHOW_TAIL_FROM:
        return MASK + secret[-2:]
    return MASK


class SecretStore:
    """Reads and writes each server's secret in the right backing store."""

    def __init__(self, session: KeyValueStore, persistent: KeyValueStore) -> None:
        self._session = session
        self._persistent = persistent

    def __repr__(self) -> str:
        return "SecretStore()"

    def get(self, server_id: str) -> str | None:
        """The secret of ``server_id`` from either store, or ``None``."""
        key = secret_key(server_id)
        value = self._session.get_item(key)
        return value if value is not None else self._persistent.get_item(key)

    def is_remembered(self, server_id: str) -> bool:
        """True when the secret of ``server_id`` is in the persistent store."""
        return self._persistent.get_item(secret_key(server_id)) is not None

    def put(self, server_id: str, secret: str, *, remember: bool) -> None:
        """Keep ``secret`` in the persistent store when ``remember``, else the session.

        The new copy is written before the old one is removed, so a full store
        (``StorageQuotaError``) leaves the earlier secret in place.
        """
        key = secret_key(server_id)
        target, other = (
            (self._persistent, self._session)
            if remember
            else (self._session, self._persistent)
        )
        target.set_item(key, secret)
        other.remove_item(key)

    def remove(self, server_id: str) -> None:
        """Forget the secret of ``server_id`` in both stores."""
        key = secret_key(server_id)
        self._session.remove_item(key)
        self._persistent.remove_item(key)
