"""Importing OHIF DICOMweb data sources: the three shapes, the split, the refusals."""

from __future__ import annotations

import json

import pytest

from app.settings.errors import SettingsImportError
from app.settings.model import RenderingProtocol, ServerConfig
from app.settings.notices import NoticeCode
from app.settings.roots import ServerRoots, resolve_roots
from app.settings.transfer import import_servers

DCM4CHEE = {
    "friendlyName": "DCM4CHEE Server",
    "name": "DCM4CHEE",
    "wadoUriRoot": "https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE/wado",
    "qidoRoot": "https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE/rs",
    "wadoRoot": "https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE/rs",
    "qidoSupportsIncludeField": True,
    "imageRendering": "wadors",
    "thumbnailRendering": "wadors",
    "enableStudyLazyLoad": True,
    "supportsFuzzyMatching": True,
    "supportsWildcard": True,
}
NAMESPACE = "@ohif/extension-default.dataSourcesModule.dicomweb"


def read(document, existing=()):
    return import_servers(
        json.dumps(document), source="ohif.json", existing=list(existing)
    )


def refusal(document):
    with pytest.raises(SettingsImportError) as caught:
        read(document)
    return str(caught.value)


def without_id(server: ServerConfig) -> ServerConfig:
    return ServerConfig(**{**server.__dict__, "server_id": "-"})


EXPECTED = ServerConfig(
    server_id="-",
    name="DCM4CHEE Server",
    url="https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE",
    wado_uri_postfix="wado",
    wado_postfix="rs",
    qido_postfix="rs",
    qido_supports_include_field=True,
    enable_study_lazy_load=True,
    supports_fuzzy_matching=True,
    image_rendering=RenderingProtocol.WADORS,
    thumbnail_rendering=RenderingProtocol.WADORS,
)


@pytest.mark.parametrize(
    "document",
    [
        DCM4CHEE,
        {"sourceName": "dicomweb", "configuration": DCM4CHEE},
        {
            "dataSources": [
                {
                    "namespace": NAMESPACE,
                    "sourceName": "dicomweb",
                    "configuration": DCM4CHEE,
                }
            ]
        },
    ],
    ids=["bare configuration", "data source", "app config"],
)
def test_each_accepted_shape_gives_the_same_server(document):
    result = read(document)

    (server,) = result.servers
    assert without_id(server) == EXPECTED
    assert resolve_roots(server) == ServerRoots(
        root="https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE",
        qido_rs="https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE/rs",
        wado_rs="https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE/rs",
        wado_uri="https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE/wado",
    )


def test_each_import_gets_a_fresh_uuid():
    first, second = read(DCM4CHEE).servers[0], read(DCM4CHEE).servers[0]

    assert first.server_id != second.server_id


def test_identical_roots_leave_the_postfixes_empty():
    config = {
        "name": "Orthanc",
        "qidoRoot": "http://localhost:8042/dicom-web/",
        "wadoRoot": "http://localhost:8042/dicom-web",
    }

    (server,) = read(config).servers

    assert (server.name, server.url) == ("Orthanc", "http://localhost:8042/dicom-web")
    assert (server.qido_postfix, server.wado_postfix, server.wado_uri_postfix) == (
        "",
        "",
        "",
    )


def test_roots_that_only_share_the_host_give_longer_postfixes():
    config = {
        "qidoRoot": "https://a.org/qido/rs",
        "wadoRoot": "https://a.org/wado/rs",
        "wadoUriRoot": "https://a.org/wado",
    }

    (server,) = read(config).servers

    assert server.url == "https://a.org"
    assert server.name == "a.org"
    assert (server.qido_postfix, server.wado_postfix, server.wado_uri_postfix) == (
        "qido/rs",
        "wado/rs",
        "wado",
    )
    assert server.supports_fuzzy_matching is False
    assert server.image_rendering is RenderingProtocol.WADORS


def test_other_data_sources_in_an_app_config_are_skipped_with_a_notice():
    document = {
        "dataSources": [
            {
                "namespace": "@ohif/extension-default.dataSourcesModule.dicomjson",
                "sourceName": "dicomjson",
                "configuration": {"name": "json"},
            },
            {
                "namespace": NAMESPACE,
                "sourceName": "dicomweb",
                "configuration": DCM4CHEE,
            },
            {
                "namespace": NAMESPACE,
                "sourceName": "second",
                "configuration": {**DCM4CHEE, "friendlyName": "DCM4CHEE Server"},
            },
        ]
    }

    result = read(document)

    assert [server.name for server in result.servers] == [
        "DCM4CHEE Server",
        "DCM4CHEE Server (2)",
    ]
    assert [(n.code, n.message) for n in result.notices] == [
        (
            NoticeCode.IMPORT_SOURCE_SKIPPED,
            'Data source 1 ("dicomjson") in "ohif.json" was skipped: it is not a '
            "DICOMweb data source.",
        ),
        (
            NoticeCode.IMPORT_RENAMED,
            'The imported server "DCM4CHEE Server" was named "DCM4CHEE Server (2)" '
            "because another server already has that name.",
        ),
    ]


def test_a_name_already_known_gets_a_suffix():
    existing = ServerConfig(
        server_id="7c9e6679-7425-40de-944b-e07fc1f90ae7",
        name="dcm4chee server",
        url="https://b.org",
    )

    assert read(DCM4CHEE, [existing]).servers[0].name == "DCM4CHEE Server (2)"


# Refusals -------------------------------------------------------------------------


def test_roots_on_different_hosts_are_refused():
    config = {**DCM4CHEE, "wadoRoot": "https://other.example.org/rs"}

    assert refusal(config) == (
        'Cannot import "ohif.json": qidoRoot '
        '"https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE/rs" and wadoRoot '
        '"https://other.example.org/rs" are on different servers '
        "(https://pacs.example.org and https://other.example.org); the viewer needs "
        "all roots of a data source on one scheme and host."
    )


def test_roots_with_different_schemes_are_refused():
    config = {"qidoRoot": "http://localhost/rs", "wadoRoot": "https://localhost/rs"}

    assert (
        "are on different servers (http://localhost and https://localhost)"
        in refusal(config)
    )


def test_an_unknown_rendering_is_refused():
    assert refusal({**DCM4CHEE, "imageRendering": "wadouri"}) == (
        'Cannot import "ohif.json": imageRendering "wadouri" is not supported; use one '
        "of: wadors, wado, https."
    )
    assert refusal({**DCM4CHEE, "thumbnailRendering": ["x"]}) == (
        'Cannot import "ohif.json": thumbnailRendering ["x"] is not supported; use one '
        "of: wadors, wado, https."
    )


def test_a_boolean_that_is_not_true_or_false_is_refused():
    assert refusal({**DCM4CHEE, "supportsFuzzyMatching": "yes"}) == (
        'Cannot import "ohif.json": supportsFuzzyMatching must be true or false; '
        'found "yes".'
    )


def test_a_missing_root_is_refused():
    config = {key: value for key, value in DCM4CHEE.items() if key != "wadoRoot"}

    assert refusal(config) == (
        'Cannot import "ohif.json": the configuration has no "wadoRoot"; it needs '
        "qidoRoot and wadoRoot."
    )


def test_a_root_that_is_not_text_is_refused():
    assert refusal({**DCM4CHEE, "qidoRoot": 5}) == (
        'Cannot import "ohif.json": qidoRoot must be a URL in quotes; found 5.'
    )


def test_a_root_the_viewer_cannot_use_is_refused_with_the_url_rule():
    config = {**DCM4CHEE, "qidoRoot": "http://pacs.example.org/rs"}

    assert refusal(config) == (
        'Cannot import "ohif.json": qidoRoot cannot be used. Server URL must start '
        "with https:// (http:// is allowed only for localhost, 127.x.x.x and [::1]). "
        'You entered "http://pacs.example.org/rs".'
    )


def test_an_invalid_data_source_in_an_app_config_is_named():
    document = {
        "dataSources": [
            {
                "namespace": NAMESPACE,
                "sourceName": "dicomweb",
                "configuration": DCM4CHEE,
            },
            {
                "namespace": NAMESPACE,
                "sourceName": "broken",
                "configuration": {**DCM4CHEE, "name": "x" * 70, "friendlyName": ""},
            },
        ]
    }

    assert refusal(document) == (
        'Cannot import "ohif.json", data source 2 ("broken"): Server Name must be at '
        f'most 64 characters; "{"x" * 70}" has 70. Shorten it.'
    )


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"dataSources": {}}, '"dataSources" must be a list.'),
        (
            {"dataSources": [{"namespace": "x.dicomjson", "configuration": {}}]},
            'it has no DICOMweb data source (one whose "namespace" ends in '
            '"dataSourcesModule.dicomweb", or whose configuration has "qidoRoot").',
        ),
        (
            {"sourceName": "dicomweb", "configuration": []},
            '"configuration" must be an object.',
        ),
    ],
)
def test_app_configs_that_cannot_be_read(document, problem):
    assert refusal(document) == f'Cannot import "ohif.json": {problem}'
