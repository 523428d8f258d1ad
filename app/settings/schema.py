"""The JSON form of a server record, the same in storage, exports and servers.json.

A record is an object with the snake_case keys of ``ServerConfig``, for example::

    {"server_id": "6f1c2a9e-3b7d-4e58-9a41-0c2d8e7f5b63", "name": "Local Server",
     "url": "https://localhost/zhiva/pacs", "server_postfix": "",
     "wado_uri_postfix": "wado", "wado_postfix": "rs", "qido_postfix": "rs",
     "qido_supports_include_field": true, "enable_study_lazy_load": true,
     "supports_fuzzy_matching": true, "image_rendering": "wadors",
     "thumbnail_rendering": "wadors", "auth_type": "none", "username": "",
     "remember_secret": false, "derived_from": null}

Only ``server_id``, ``name`` and ``url`` are required; a missing key takes the
``ServerConfig`` default and unknown keys are ignored. Passwords and tokens are never
part of a record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from app.settings import model
from app.settings.model import FIELD_LABELS, ServerConfig, ServerDraft
from app.settings.validation import ValidationResult, validate_draft

# Error key for a problem with the entry as a whole (it is not an object).
RECORD = "record"

_TEXT_FIELDS = (
    model.SERVER_ID,
    model.NAME,
    model.URL,
    *model.POSTFIX_FIELDS,
    *model.RENDERING_FIELDS,
    model.AUTH_TYPE,
    model.USERNAME,
)


def server_to_record(server: ServerConfig) -> dict[str, Any]:
    """The JSON-ready record of ``server``."""
    return {
        model.SERVER_ID: server.server_id,
        model.NAME: server.name,
        model.URL: server.url,
        model.SERVER_POSTFIX: server.server_postfix,
        model.WADO_URI_POSTFIX: server.wado_uri_postfix,
        model.WADO_POSTFIX: server.wado_postfix,
        model.QIDO_POSTFIX: server.qido_postfix,
        model.QIDO_SUPPORTS_INCLUDE_FIELD: server.qido_supports_include_field,
        model.ENABLE_STUDY_LAZY_LOAD: server.enable_study_lazy_load,
        model.SUPPORTS_FUZZY_MATCHING: server.supports_fuzzy_matching,
        model.IMAGE_RENDERING: server.image_rendering.value,
        model.THUMBNAIL_RENDERING: server.thumbnail_rendering.value,
        model.AUTH_TYPE: server.auth_type.value,
        model.USERNAME: server.username,
        model.REMEMBER_SECRET: server.remember_secret,
        model.DERIVED_FROM: server.derived_from,
    }


def _found(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def parse_server_record(
    record: object, others: Iterable[ServerConfig] = ()
) -> ValidationResult:
    """Validate a JSON record with the same rules as the form.

    Wrong JSON types are reported per field ("must be text; found 42"), then the form
    rules run on the rest. ``others`` are the servers the record must not clash with.
    """
    if not isinstance(record, Mapping):
        problem = f"Each server must be a JSON object; found {_found(record)}."
        return ValidationResult(MappingProxyType({RECORD: problem}), None)

    type_errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for key in _TEXT_FIELDS:
        if key in record and not isinstance(record[key], str):
            type_errors[key] = (
                f"{FIELD_LABELS[key]} must be text; found {_found(record[key])}."
            )
        elif key in record:
            values[key] = record[key]
    for key in model.BOOLEAN_FIELDS:
        if key in record and not isinstance(record[key], bool):
            type_errors[key] = (
                f"{FIELD_LABELS[key]} must be true or false; "
                f"found {_found(record[key])}."
            )
        elif key in record:
            values[key] = record[key]
    derived_from = record.get(model.DERIVED_FROM)
    if derived_from is not None and not isinstance(derived_from, str):
        type_errors[model.DERIVED_FROM] = (
            f"Copied from must be a server UUID or null; found {_found(derived_from)}."
        )
    elif derived_from is not None:
        values[model.DERIVED_FROM] = derived_from

    result = validate_draft(ServerDraft(**values), others, require_secret=False)
    if not type_errors:
        return result
    errors = {**result.errors, **type_errors}
    return ValidationResult(MappingProxyType(errors), None)


def describe_entry(index: int, record: object) -> str:
    """How a message names the ``index``-th entry (from 0): 'entry 2 ("PACS")'."""
    name = record.get(model.NAME) if isinstance(record, Mapping) else None
    if isinstance(name, str) and name.strip():
        return f'entry {index + 1} ("{name.strip()}")'
    return f"entry {index + 1}"


def describe_errors(errors: Mapping[str, str]) -> str:
    """All the problems of one record as one paragraph."""
    return " ".join(errors.values())
