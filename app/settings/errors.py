"""The errors the settings core raises.

Every message is a plain sentence for the page: it names the thing, quotes the value
(never a password or token), states the rule and says what to do.
"""

from __future__ import annotations

from collections.abc import Mapping


class SettingsError(Exception):
    """Base of every error raised by ``app.settings``."""


class InvalidSettingError(SettingsError):
    """One field of a server has a value the rules do not allow."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class ServerValidationError(SettingsError):
    """A server form was saved while some fields are still invalid."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        fields = ", ".join(sorted(self.errors))
        super().__init__(f"The server cannot be saved yet; fix these fields: {fields}.")


class UnknownServerError(SettingsError):
    """A server id does not name any known server."""

    def __init__(self, server_id: str) -> None:
        super().__init__(
            f'No server has the UUID "{server_id}". '
            "Reload the settings page and choose a server from the list."
        )
        self.server_id = server_id


class ReadOnlyServerError(SettingsError):
    """An organisation preset was about to be changed in place or deleted."""

    def __init__(self, name: str, action: str) -> None:
        super().__init__(
            f'The server "{name}" comes from your organisation\'s list and cannot be '
            f"{action}. Duplicate it to make a copy of your own."
        )
        self.name = name


class MissingSecretError(SettingsError):
    """A server needs a password or token that is not stored on this device."""

    def __init__(self, name: str, what: str) -> None:
        super().__init__(
            f'The {what} for "{name}" is not stored in this browser session. Enter it '
            'under Settings > Servers; tick "Remember on this device" to keep it.'
        )
        self.name = name


class SettingsImportError(SettingsError):
    """A file offered for import cannot be imported; nothing was changed."""

    def __init__(self, source: str, problem: str, entry: str | None = None) -> None:
        where = f'"{source}"' if entry is None else f'"{source}", {entry}'
        super().__init__(f"Cannot import {where}: {problem}")
        self.source = source
        self.entry = entry
        self.problem = problem


class SettingsStorageError(SettingsError):
    """The browser storage refused to keep something."""


class StorageQuotaError(SettingsStorageError):
    """The store is full; what was there before the write is unchanged.

    A ``KeyValueStore`` raises it (the browser layer turns the ``QuotaExceededError``
    of ``localStorage.setItem`` into it); the settings code re-raises it with a message
    that says what could not be saved.
    """

    def __init__(self, key: str, message: str | None = None) -> None:
        super().__init__(
            message
            or f'The browser storage for this site is full; "{key}" was not written.'
        )
        self.key = key
