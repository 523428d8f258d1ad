"""Things the settings core wants the user to be told, as plain data for the page."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NoticeLevel(StrEnum):
    """How the page should present a notice."""

    INFO = "info"
    WARNING = "warning"


class NoticeCode(StrEnum):
    """What happened, for the page to pick an icon or a test to assert on."""

    # Loading the saved settings.
    SETTINGS_NOT_JSON = "settings-not-json"
    SETTINGS_WRONG_SHAPE = "settings-wrong-shape"
    SETTINGS_FUTURE_VERSION = "settings-future-version"
    SERVER_ENTRY_INVALID = "server-entry-invalid"
    SETTINGS_MIGRATED = "settings-migrated"
    MIGRATION_NOT_SAVED = "migration-not-saved"
    SERVER_RENAMED = "server-renamed"
    SELECTION_RESET = "selection-reset"
    # The organisation's list.
    ORGANISATION_LIST_UNAVAILABLE = "organisation-list-unavailable"
    ORGANISATION_ENTRY_INVALID = "organisation-entry-invalid"
    # User actions.
    PRESET_COPIED = "preset-copied"
    IMPORT_RENAMED = "import-renamed"
    IMPORT_NEW_ID = "import-new-id"
    IMPORT_SOURCE_SKIPPED = "import-source-skipped"


@dataclass(frozen=True)
class Notice:
    """One sentence for the user; ``backup_key`` names where damaged text was kept."""

    code: NoticeCode
    message: str
    level: NoticeLevel = NoticeLevel.WARNING
    backup_key: str | None = None
