"""Reading the DICOMweb data sources of an OHIF Viewer configuration.

Accepted shapes: a whole data source ``{"sourceName": …, "configuration": {…}}``, a
bare ``configuration`` object, or an app config with ``"dataSources": […]``. OHIF
keeps three absolute roots; the viewer keeps one URL and postfixes, so the roots are
split at their longest common path: that becomes the Server URL and the remainders
become the QIDO, WADO and WADO URI postfixes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from app.settings import model
from app.settings.errors import InvalidSettingError, SettingsImportError
from app.settings.model import RenderingProtocol, ServerConfig, ServerDraft
from app.settings.notices import Notice, NoticeCode, NoticeLevel
from app.settings.schema import describe_errors
from app.settings.validation import normalise_url, validate_draft

DATA_SOURCES = "dataSources"
CONFIGURATION = "configuration"
QIDO_ROOT = "qidoRoot"
WADO_ROOT = "wadoRoot"
WADO_URI_ROOT = "wadoUriRoot"
# OHIF registers its DICOMweb data source under this namespace suffix.
_DICOMWEB_NAMESPACE = "dataSourcesModule.dicomweb"

_Refuse = Callable[[str], SettingsImportError]

_BOOLEANS = {
    "qidoSupportsIncludeField": model.QIDO_SUPPORTS_INCLUDE_FIELD,
    "enableStudyLazyLoad": model.ENABLE_STUDY_LAZY_LOAD,
    "supportsFuzzyMatching": model.SUPPORTS_FUZZY_MATCHING,
}
_RENDERINGS = {
    "imageRendering": model.IMAGE_RENDERING,
    "thumbnailRendering": model.THUMBNAIL_RENDERING,
}


def looks_like_ohif(document: object) -> bool:
    """True for any of the three accepted OHIF shapes."""
    return isinstance(document, Mapping) and any(
        key in document for key in (DATA_SOURCES, CONFIGURATION, QIDO_ROOT, WADO_ROOT)
    )


def servers_from_ohif(
    document: Mapping[str, Any], source: str
) -> tuple[list[ServerConfig], list[Notice]]:
    """One new server (with a fresh UUID) per DICOMweb data source in ``document``.

    Data sources of other kinds in an app config are skipped with a notice. Raises
    ``SettingsImportError`` naming the data source and the problem.
    """
    if DATA_SOURCES not in document:
        return [_server(_configuration(document, source, None), source, None)], []

    sources = document[DATA_SOURCES]
    if not isinstance(sources, list):
        raise SettingsImportError(source, f'"{DATA_SOURCES}" must be a list.')
    servers: list[ServerConfig] = []
    notices: list[Notice] = []
    for index, data_source in enumerate(sources):
        entry = _describe(index, data_source)
        if not _is_dicomweb(data_source):
            notices.append(
                Notice(
                    NoticeCode.IMPORT_SOURCE_SKIPPED,
                    f'{entry[0].upper()}{entry[1:]} in "{source}" was skipped: it is '
                    "not a DICOMweb data source.",
                    level=NoticeLevel.INFO,
                )
            )
            continue
        configuration = _configuration(data_source, source, entry)
        servers.append(_server(configuration, source, entry))
    if not servers:
        raise SettingsImportError(
            source,
            f'it has no DICOMweb data source (one whose "namespace" ends in '
            f'"{_DICOMWEB_NAMESPACE}", or whose configuration has "{QIDO_ROOT}").',
        )
    return servers, notices


def _describe(index: int, data_source: object) -> str:
    name = data_source.get("sourceName") if isinstance(data_source, Mapping) else None
    if isinstance(name, str) and name:
        return f'data source {index + 1} ("{name}")'
    return f"data source {index + 1}"


def _is_dicomweb(data_source: object) -> bool:
    if not isinstance(data_source, Mapping):
        return False
    namespace = data_source.get("namespace")
    if isinstance(namespace, str):
        return namespace.endswith(_DICOMWEB_NAMESPACE)
    configuration = data_source.get(CONFIGURATION)
    return isinstance(configuration, Mapping) and (
        QIDO_ROOT in configuration or WADO_ROOT in configuration
    )


def _configuration(
    document: Mapping[str, Any], source: str, entry: str | None
) -> Mapping[str, Any]:
    if CONFIGURATION not in document:
        return document
    configuration = document[CONFIGURATION]
    if not isinstance(configuration, Mapping):
        raise SettingsImportError(
            source, f'"{CONFIGURATION}" must be an object.', entry
        )
    return configuration


def _server(
    configuration: Mapping[str, Any], source: str, entry: str | None
) -> ServerConfig:
    def refuse(problem: str) -> SettingsImportError:
        return SettingsImportError(source, problem, entry)

    roots = {
        key: _root(configuration, key, refuse)
        for key in (QIDO_ROOT, WADO_ROOT, WADO_URI_ROOT)
        if key in configuration or key != WADO_URI_ROOT
    }
    url, postfixes = _split_roots(roots, refuse)

    values: dict[str, Any] = {}
    for ohif_key, key in _BOOLEANS.items():
        value = configuration.get(ohif_key, False)
        if not isinstance(value, bool):
            raise refuse(
                f"{ohif_key} must be true or false; found {json.dumps(value)}."
            )
        values[key] = value
    for ohif_key, key in _RENDERINGS.items():
        value = configuration.get(ohif_key, RenderingProtocol.WADORS.value)
        if not isinstance(value, str) or value not in set(RenderingProtocol):
            choices = ", ".join(protocol.value for protocol in RenderingProtocol)
            raise refuse(
                f"{ohif_key} {json.dumps(value)} is not supported; "
                f"use one of: {choices}."
            )
        values[key] = value

    draft = ServerDraft(
        server_id=model.new_server_id(),
        name=_name(configuration, url),
        url=url,
        qido_postfix=postfixes[QIDO_ROOT],
        wado_postfix=postfixes[WADO_ROOT],
        wado_uri_postfix=postfixes.get(WADO_URI_ROOT, ""),
        **values,
    )
    result = validate_draft(draft, require_secret=False)
    if result.server is None:
        raise refuse(describe_errors(result.errors))
    return result.server


def _root(configuration: Mapping[str, Any], key: str, refuse: _Refuse) -> str:
    value = configuration.get(key)
    if value is None:
        raise refuse(
            f'the configuration has no "{key}"; it needs {QIDO_ROOT} and {WADO_ROOT}.'
        )
    if not isinstance(value, str):
        raise refuse(f"{key} must be a URL in quotes; found {json.dumps(value)}.")
    try:
        return normalise_url(value)
    except InvalidSettingError as error:
        raise refuse(f"{key} cannot be used. {error.message}") from None


def _split_roots(
    roots: Mapping[str, str], refuse: _Refuse
) -> tuple[str, dict[str, str]]:
    """The Server URL (longest common path of the roots) and each root's remainder."""
    parts = {key: urlsplit(root) for key, root in roots.items()}
    first_key, first = next(iter(parts.items()))
    for key, other in parts.items():
        if (other.scheme, other.netloc) != (first.scheme, first.netloc):
            raise refuse(
                f'{first_key} "{roots[first_key]}" and {key} "{roots[key]}" are on '
                f"different servers ({first.scheme}://{first.netloc} and "
                f"{other.scheme}://{other.netloc}); the viewer needs all roots of a "
                "data source on one scheme and host."
            )

    segments = {key: [s for s in p.path.split("/") if s] for key, p in parts.items()}
    common = _common_prefix(list(segments.values()))
    base = f"{first.scheme}://{first.netloc}"
    url = "/".join([base, *common])
    postfixes = {key: "/".join(path[len(common) :]) for key, path in segments.items()}
    return url, postfixes


def _common_prefix(paths: Sequence[list[str]]) -> list[str]:
    common: list[str] = []
    for level in zip(*paths, strict=False):
        if any(segment != level[0] for segment in level):
            break
        common.append(level[0])
    return common


def _name(configuration: Mapping[str, Any], url: str) -> str:
    for key in ("friendlyName", "name"):
        value = configuration.get(key)
        if isinstance(value, str) and value.strip():
            return value
    # Without a name, the host is what the user will recognise.
    return urlsplit(url).netloc
