"""Loading and saving the user's servers under one versioned key.

The document under ``SETTINGS_KEY`` is ``{"version": 2, "servers": [records],
"selected_server_id": "…" or null}`` (records as in ``app.settings.schema``). Loading
never fails: damaged text, a wrong shape, a version from the future or single invalid
entries are copied under a backup key, reported as notices, and the rest still loads.
Nothing the user saved is dropped without a copy and a sentence saying where it is.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from app.settings.errors import InvalidSettingError, StorageQuotaError
from app.settings.migration import (
    CURRENT_VERSION,
    SELECTED_SERVER_ID,
    SERVERS,
    VERSION,
    detect_version,
    migrate,
)
from app.settings.model import ServerConfig, unique_name
from app.settings.notices import Notice, NoticeCode, NoticeLevel
from app.settings.schema import (
    describe_entry,
    describe_errors,
    parse_server_record,
    server_to_record,
)
from app.settings.store import KeyValueStore
from app.settings.validation import check_unique_id

logger = logging.getLogger(__name__)

SETTINGS_KEY = "zhiva.settings"
BACKUP_KEY_PREFIX = "zhiva.settings.backup-"


@dataclass(frozen=True)
class LoadedSettings:
    """What ``load_settings`` found.

    ``needs_saving`` is True when the document should be written back in the current
    form (it was migrated, or a server was renamed); ``migrated_secrets`` are secrets a
    migration took out of the document, for the ``SecretStore``.
    """

    servers: tuple[ServerConfig, ...] = ()
    selected_server_id: str | None = None
    notices: tuple[Notice, ...] = ()
    needs_saving: bool = False
    migrated_secrets: Mapping[str, str] = field(default_factory=dict, repr=False)


def backup_keys(store: KeyValueStore) -> list[str]:
    """The backup keys in the store, oldest first."""
    numbered = []
    all_keys = store.keys()
    for key in all_keys:
        number = key.removeprefix(BACKUP_KEY_PREFIX)
        if key.startswith(BACKUP_KEY_PREFIX) and number.isdigit():
            numbered.append((int(number), key))
    return [key for _, key in sorted(numbered)]


def keep_backup(store: KeyValueStore, text: str) -> str:
    """Copy ``text`` under a new backup key and return the key.

    An earlier backup is never overwritten; when one already holds exactly ``text``
    (the same damage seen at the next start) its key is returned instead of a copy.
    Raises ``StorageQuotaError`` when the store is full.
    """
    keys = backup_keys(store)
    for key in keys:
        if store.get_item(key) == text:
            return key
    last = int(keys[-1].removeprefix(BACKUP_KEY_PREFIX)) if keys else 0
    key = f"{BACKUP_KEY_PREFIX}{last + 1}"
    store.set_item(key, text)
    logger.warning("Kept damaged settings under %s", key)
    return key


def _backup_sentence(store: KeyValueStore, text: str) -> tuple[str, str | None]:
    try:
        key = keep_backup(store, text)
    except StorageQuotaError:
        return (
            "They could not be copied to a backup because the browser storage is "
            f'full; they stay under "{SETTINGS_KEY}" until you save settings, which '
            "replaces them.",
            None,
        )
    return f'The saved text was kept under "{key}".', key


def _unreadable(
    store: KeyValueStore, text: str, code: NoticeCode, reason: str
) -> LoadedSettings:
    kept, key = _backup_sentence(store, text)
    message = (
        f"Your saved servers could not be loaded: {reason}. {kept} "
        "Only the organisation's servers are shown."
    )
    return LoadedSettings(notices=(Notice(code, message, backup_key=key),))


def load_settings(
    store: KeyValueStore, reserved: Sequence[ServerConfig] = ()
) -> LoadedSettings:
    """Read, migrate and validate the user's servers.

    ``reserved`` are the organisation's servers: a stored server may not take one of
    their UUIDs, and one with a name already taken is renamed ("PACS (2)").
    """
    text = store.get_item(SETTINGS_KEY)
    if text is None:
        return LoadedSettings()

    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        reason = (
            f"the text is not valid JSON ({error.msg} at line {error.lineno}, "
            f"column {error.colno})"
        )
        return _unreadable(store, text, NoticeCode.SETTINGS_NOT_JSON, reason)

    version = detect_version(document)
    if version is None:
        reason = "they are not a list of servers or an object with a version number"
        return _unreadable(store, text, NoticeCode.SETTINGS_WRONG_SHAPE, reason)
    if version > CURRENT_VERSION:
        reason = (
            f"they were saved by a newer version of the viewer (settings version "
            f"{version}; this one reads up to {CURRENT_VERSION}). Open the newer "
            "version to use them"
        )
        return _unreadable(store, text, NoticeCode.SETTINGS_FUTURE_VERSION, reason)

    migrated = migrate(document, version)
    document = migrated.document
    records = document.get(SERVERS)
    selected = document.get(SELECTED_SERVER_ID)
    if not isinstance(records, list):
        reason = f'"{SERVERS}" must be a list of servers'
        return _unreadable(store, text, NoticeCode.SETTINGS_WRONG_SHAPE, reason)
    if selected is not None and not isinstance(selected, str):
        reason = f'"{SELECTED_SERVER_ID}" must be a server UUID or null'
        return _unreadable(store, text, NoticeCode.SETTINGS_WRONG_SHAPE, reason)

    servers, notices, problems = _read_records(records, reserved)
    renamed = bool(notices)
    was_migrated = version < CURRENT_VERSION
    backup_failed = False
    if problems:
        kept, key = _backup_sentence(store, text)
        backup_failed = key is None
        notices += [
            Notice(
                NoticeCode.SERVER_ENTRY_INVALID,
                f"Saved server {entry} could not be loaded: {problem} {kept}",
                backup_key=key,
            )
            for entry, problem in problems
        ]
    if was_migrated:
        notices.append(
            Notice(
                NoticeCode.SETTINGS_MIGRATED,
                f"Your saved servers were updated from settings version {version} to "
                f"{CURRENT_VERSION}.",
                level=NoticeLevel.INFO,
            )
        )

    loaded_ids = {server.server_id for server in servers}
    return LoadedSettings(
        servers=tuple(servers),
        selected_server_id=selected.lower() if selected else None,
        notices=tuple(notices),
        # Writing back while a backup failed would lose the entries it should hold.
        needs_saving=(was_migrated or renamed) and not backup_failed,
        migrated_secrets={
            server_id: secret
            for server_id, secret in migrated.secrets.items()
            if server_id in loaded_ids
        },
    )


def _read_records(
    records: Iterable[object], reserved: Sequence[ServerConfig]
) -> tuple[list[ServerConfig], list[Notice], list[tuple[str, str]]]:
    """Valid servers, rename notices, and (entry, problem) for each invalid one."""
    servers: list[ServerConfig] = []
    notices: list[Notice] = []
    problems: list[tuple[str, str]] = []
    for index, record in enumerate(records):
        entry = describe_entry(index, record)
        # Names are checked apart: a clashing name is renamed, not refused.
        result = parse_server_record(record)
        if result.server is None:
            problems.append((entry, describe_errors(result.errors)))
            continue

        server = result.server
        try:
            check_unique_id(server.server_id, [*reserved, *servers])
        except InvalidSettingError as error:
            problems.append((entry, error.message))
            continue

        name = unique_name(server.name, [s.name for s in (*reserved, *servers)])
        if name != server.name:
            notices.append(
                Notice(
                    NoticeCode.SERVER_RENAMED,
                    f'Your saved server "{server.name}" was renamed to "{name}" '
                    "because another server already has that name.",
                    level=NoticeLevel.INFO,
                )
            )
            server = replace(server, name=name)
        servers.append(server)
    return servers, notices, problems


def settings_document(
    servers: Sequence[ServerConfig], selected_server_id: str | None
) -> str:
    """The text stored under ``SETTINGS_KEY`` for these servers and selection."""
    document = {
        VERSION: CURRENT_VERSION,
        SERVERS: [server_to_record(server) for server in servers],
        SELECTED_SERVER_ID: selected_server_id,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def save_settings(
    store: KeyValueStore,
    servers: Sequence[ServerConfig],
    selected_server_id: str | None,
) -> None:
    """Write the user's servers and the selection in one go.

    Raises ``StorageQuotaError`` when the store is full; the settings saved before are
    then unchanged.
    """
    text = settings_document(servers, selected_server_id)
    try:
        store.set_item(SETTINGS_KEY, text)
    except StorageQuotaError as error:
        raise StorageQuotaError(
            SETTINGS_KEY,
            "Could not save the server settings: the browser storage for this site is "
            "full. The settings saved before are unchanged. Delete servers you no "
            f'longer use or old backups (keys starting "{BACKUP_KEY_PREFIX}") and '
            "save again.",
        ) from error
    logger.info("Saved %d servers", len(servers))
