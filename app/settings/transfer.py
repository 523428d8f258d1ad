"""Server lists as files: export, import, and the organisation's ``servers.json``.

A server list is ``{"format": "zhiva-servers", "version": 1, "servers": [records]}``
with the records of ``app.settings.schema``; it never holds passwords or tokens. The
organisation's ``assets/servers.json`` has the same shape. Import also reads OHIF
data source configurations (``app.settings.ohif``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.settings.errors import SettingsImportError
from app.settings.model import ServerConfig, new_server_id, unique_name
from app.settings.notices import Notice, NoticeCode, NoticeLevel
from app.settings.ohif import looks_like_ohif, servers_from_ohif
from app.settings.schema import (
    describe_entry,
    describe_errors,
    parse_server_record,
    server_to_record,
)

logger = logging.getLogger(__name__)

FORMAT = "format"
VERSION = "version"
SERVERS = "servers"
SERVER_LIST_FORMAT = "zhiva-servers"
SERVER_LIST_VERSION = 1
ORGANISATION_SOURCE = "assets/servers.json"


@dataclass(frozen=True)
class ImportResult:
    """New servers read from a file, ready for the caller to add and save."""

    servers: tuple[ServerConfig, ...]
    notices: tuple[Notice, ...] = ()


def export_servers(servers: Sequence[ServerConfig]) -> str:
    """The server list file for ``servers`` (secrets are not part of a record)."""
    document = {
        FORMAT: SERVER_LIST_FORMAT,
        VERSION: SERVER_LIST_VERSION,
        SERVERS: [server_to_record(server) for server in servers],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        hint = ""
        if text.lstrip().startswith("window.config"):
            # OHIF's app-config.js is JavaScript that assigns the config object.
            hint = (
                ' OHIF\'s app-config.js is JavaScript; copy its "dataSources" part '
                "into a .json file and import that."
            )
        raise SettingsImportError(
            source,
            f"it is not valid JSON ({error.msg} at line {error.lineno}, "
            f"column {error.colno}).{hint}",
        ) from None


def _is_server_list(document: object) -> bool:
    return isinstance(document, dict) and document.get(FORMAT) == SERVER_LIST_FORMAT


def _server_list_records(document: dict[str, Any], source: str) -> list[Any]:
    version = document.get(VERSION)
    if version != SERVER_LIST_VERSION or isinstance(version, bool):
        raise SettingsImportError(
            source,
            f"it is a server list of version {json.dumps(version)}; this viewer reads "
            f"version {SERVER_LIST_VERSION}. Export it again from the same viewer "
            "version, or update this one.",
        )
    records = document.get(SERVERS)
    if not isinstance(records, list):
        raise SettingsImportError(source, f'"{SERVERS}" must be a list of servers.')
    return records


def import_servers(
    text: str, *, source: str, existing: Sequence[ServerConfig]
) -> ImportResult:
    """Read a server list or an OHIF configuration into new servers.

    Every entry must be valid, or nothing is imported: ``SettingsImportError`` names
    ``source``, the entry and the problem. Names that clash with ``existing`` (or with
    each other) get a " (2)" suffix, clashing UUIDs a fresh one. "Remember on this
    device" is turned off, since no secret comes with the file.
    """
    document = _parse_json(text, source)
    notices: list[Notice] = []
    if _is_server_list(document):
        servers = []
        for index, record in enumerate(_server_list_records(document, source)):
            result = parse_server_record(record)
            if result.server is None:
                problem = describe_errors(result.errors)
                raise SettingsImportError(
                    source, problem, describe_entry(index, record)
                )
            servers.append(replace(result.server, remember_secret=False))
    elif looks_like_ohif(document):
        servers, notices = servers_from_ohif(document, source)
    else:
        raise SettingsImportError(
            source,
            f'it is neither a server list (with "{FORMAT}": "{SERVER_LIST_FORMAT}") '
            'nor an OHIF DICOMweb data source (with "qidoRoot" and "wadoRoot").',
        )

    unique, renamed = make_unique(servers, existing)
    logger.info("Read %d servers from %s", len(unique), source)
    return ImportResult(tuple(unique), tuple(notices + renamed))


def make_unique(
    servers: Iterable[ServerConfig], existing: Sequence[ServerConfig]
) -> tuple[list[ServerConfig], list[Notice]]:
    """``servers`` renamed and given new UUIDs where they clash with ``existing``."""
    taken = list(existing)
    notices: list[Notice] = []
    for server in servers:
        name = unique_name(server.name, [other.name for other in taken])
        if name != server.name:
            notices.append(
                Notice(
                    NoticeCode.IMPORT_RENAMED,
                    f'The imported server "{server.name}" was named "{name}" because '
                    "another server already has that name.",
                    level=NoticeLevel.INFO,
                )
            )
        server_id = server.server_id
        if any(other.server_id == server_id for other in taken):
            server_id = new_server_id()
            notices.append(
                Notice(
                    NoticeCode.IMPORT_NEW_ID,
                    f'The imported server "{name}" got a new UUID because its UUID '
                    "is already used by another server.",
                    level=NoticeLevel.INFO,
                )
            )
        taken.append(replace(server, name=name, server_id=server_id))
    return taken[len(existing) :], notices


def load_organisation_servers(
    text: str | None, source: str = ORGANISATION_SOURCE
) -> tuple[tuple[ServerConfig, ...], tuple[Notice, ...]]:
    """The organisation's presets from ``servers.json``, validated like user servers.

    ``text`` is ``None`` when the file could not be fetched. A broken file, or a broken
    entry in it, gives a notice (the other entries still load), never an exception.
    """

    def unavailable(reason: str) -> tuple[tuple[ServerConfig, ...], tuple[Notice, ...]]:
        message = (
            f'The organisation\'s server list "{source}" {reason}, so its servers '
            "are not available. Tell whoever runs this viewer."
        )
        logger.warning("Organisation server list %s: %s", source, reason)
        return (), (Notice(NoticeCode.ORGANISATION_LIST_UNAVAILABLE, message),)

    if text is None:
        return unavailable("could not be read")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return unavailable(
            f"is not valid JSON ({error.msg} at line {error.lineno}, "
            f"column {error.colno})"
        )
    if not _is_server_list(document):
        return unavailable(
            f'is not a server list (with "{FORMAT}": "{SERVER_LIST_FORMAT}")'
        )
    try:
        records = _server_list_records(document, source)
    except SettingsImportError as error:
        return unavailable(f"cannot be used: {error.problem.rstrip('.')}")

    presets: list[ServerConfig] = []
    notices: list[Notice] = []
    for index, record in enumerate(records):
        result = parse_server_record(record, others=presets)
        if result.server is None:
            entry = describe_entry(index, record)
            notices.append(
                Notice(
                    NoticeCode.ORGANISATION_ENTRY_INVALID,
                    f'The organisation\'s server list "{source}" has a problem in '
                    f"{entry}, so that server is not available: "
                    f"{describe_errors(result.errors)}",
                )
            )
            continue
        presets.append(result.server)
    return tuple(presets), tuple(notices)
