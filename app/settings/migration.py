"""Bringing a saved settings document written by an older version up to date.

Version 1 (the first release) stored a bare JSON list of servers with camelCase,
OHIF-like keys, the authentication type as its label and the password or token in
plain text::

    [{"uuid": "…", "friendlyName": "PACS", "serverUrl": "https://pacs.example.org",
      "serverPostfix": "", "wadoUriPostfix": "wado", "wadoPostfix": "rs",
      "qidoPostfix": "rs", "qidoSupportsIncludeField": true,
      "enableStudyLazyLoad": true, "supportsFuzzyMatching": false,
      "imageRendering": "wadors", "thumbnailRendering": "wadors",
      "authType": "Basic Auth", "username": "viewer", "password": "…",
      "selected": true}]

Version 2 is an object ``{"version": 2, "servers": [records], "selected_server_id":
…}`` with the records of ``app.settings.schema`` and no secrets. Each step takes one
version to the next and only renames and moves values; validation happens after the
last step, so an entry a step cannot make sense of is passed on and reported there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.settings import model
from app.settings.model import AUTH_TYPE_LABELS, AuthType

CURRENT_VERSION = 2
VERSION = "version"
SERVERS = "servers"
SELECTED_SERVER_ID = "selected_server_id"


@dataclass(frozen=True)
class Migrated:
    """A document at a newer version, and the secrets a step took out of it.

    ``secrets`` maps a server UUID to its password or token; the caller moves them to
    the ``SecretStore`` (remembered on this device, since that is where they were).
    """

    document: Any
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)


def detect_version(document: object) -> int | None:
    """The version of a parsed document, or ``None`` when it has no known shape."""
    if isinstance(document, list):
        return 1
    if isinstance(document, dict):
        version = document.get(VERSION)
        # bool is an int in Python; "version": true is damage, not version 1.
        if isinstance(version, int) and not isinstance(version, bool) and version >= 1:
            return version
    return None


_V1_KEYS = {
    "uuid": model.SERVER_ID,
    "friendlyName": model.NAME,
    "serverUrl": model.URL,
    "serverPostfix": model.SERVER_POSTFIX,
    "wadoUriPostfix": model.WADO_URI_POSTFIX,
    "wadoPostfix": model.WADO_POSTFIX,
    "qidoPostfix": model.QIDO_POSTFIX,
    "qidoSupportsIncludeField": model.QIDO_SUPPORTS_INCLUDE_FIELD,
    "enableStudyLazyLoad": model.ENABLE_STUDY_LAZY_LOAD,
    "supportsFuzzyMatching": model.SUPPORTS_FUZZY_MATCHING,
    "imageRendering": model.IMAGE_RENDERING,
    "thumbnailRendering": model.THUMBNAIL_RENDERING,
    "username": model.USERNAME,
}
_V1_AUTH_TYPES = {
    label: auth_type.value for auth_type, label in AUTH_TYPE_LABELS.items()
}
_V1_SECRET_KEYS = {AuthType.BASIC.value: "password", AuthType.BEARER.value: "token"}


def _v1_to_v2(document: list[Any]) -> Migrated:
    servers: list[Any] = []
    secrets: dict[str, str] = {}
    selected: str | None = None
    for entry in document:
        if not isinstance(entry, dict):
            servers.append(entry)
            continue

        record = {new: entry[old] for old, new in _V1_KEYS.items() if old in entry}
        auth_type = entry.get("authType", AUTH_TYPE_LABELS[AuthType.NONE])
        secret_name = None
        if isinstance(auth_type, str):
            auth_type = _V1_AUTH_TYPES.get(auth_type, auth_type)
            secret_name = _V1_SECRET_KEYS.get(auth_type)
        record[model.AUTH_TYPE] = auth_type
        server_id = entry.get("uuid")
        secret = entry.get(secret_name) if secret_name else None
        if isinstance(server_id, str) and isinstance(secret, str) and secret:
            secrets[server_id.lower()] = secret
            record[model.REMEMBER_SECRET] = True
        if entry.get("selected") is True and selected is None:
            selected = server_id if isinstance(server_id, str) else None
        servers.append(record)

    migrated = {VERSION: 2, SERVERS: servers, SELECTED_SERVER_ID: selected}
    return Migrated(migrated, secrets)


# From version n to n + 1.
_STEPS: dict[int, Callable[[Any], Migrated]] = {1: _v1_to_v2}


def migrate(document: Any, version: int) -> Migrated:
    """Run every step from ``version`` up to ``CURRENT_VERSION``."""
    secrets: dict[str, str] = {}
    while version < CURRENT_VERSION:
        step = _STEPS[version](document)
        document = step.document
        secrets.update(step.secrets)
        version += 1
    return Migrated(document, secrets)
