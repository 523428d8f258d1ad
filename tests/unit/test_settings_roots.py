"""Root resolution: URL + Server Postfix + each service postfix."""

from __future__ import annotations

from app.settings.model import ServerConfig, ServerDraft
from app.settings.roots import RootsPreview, ServerRoots, preview_roots, resolve_roots

LOCAL_SERVER = ServerConfig(
    server_id="6f1c2a9e-3b7d-4e58-9a41-0c2d8e7f5b63",
    name="Local Server",
    url="https://localhost/zhiva/pacs",
    wado_uri_postfix="wado",
    wado_postfix="rs",
    qido_postfix="rs",
)


def test_dcm4chee_example():
    server = ServerConfig(
        server_id="0f8fad5b-d9cb-469f-a165-70867728950e",
        name="DCM4CHEE",
        url="https://pacs.example.org/dcm4chee-arc/aets",
        server_postfix="DCM4CHEE",
        qido_postfix="rs",
        wado_postfix="rs",
        wado_uri_postfix="wado",
    )

    assert resolve_roots(server) == ServerRoots(
        root="https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE",
        qido_rs="https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE/rs",
        wado_rs="https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE/rs",
        wado_uri="https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE/wado",
    )


def test_local_server_preset():
    assert resolve_roots(LOCAL_SERVER) == ServerRoots(
        root="https://localhost/zhiva/pacs",
        qido_rs="https://localhost/zhiva/pacs/rs",
        wado_rs="https://localhost/zhiva/pacs/rs",
        wado_uri="https://localhost/zhiva/pacs/wado",
    )


def test_empty_postfixes_leave_the_services_at_the_root():
    server = ServerConfig(
        server_id=LOCAL_SERVER.server_id,
        name="Orthanc",
        url="http://localhost:8042/dicom-web",
    )

    assert resolve_roots(server) == ServerRoots(
        root="http://localhost:8042/dicom-web",
        qido_rs="http://localhost:8042/dicom-web",
        wado_rs="http://localhost:8042/dicom-web",
        wado_uri="http://localhost:8042/dicom-web",
    )


def test_preview_works_while_other_fields_are_invalid():
    draft = ServerDraft(
        url="https://pacs.example.org/",
        server_postfix=" dicom-web ",
        qido_postfix="rs",
        wado_postfix="/rs",
    )

    assert preview_roots(draft) == RootsPreview(
        root="https://pacs.example.org/dicom-web",
        qido_rs="https://pacs.example.org/dicom-web/rs",
        wado_rs=None,
        wado_uri="https://pacs.example.org/dicom-web",
    )


def test_no_preview_without_a_valid_url_or_server_postfix():
    assert preview_roots(ServerDraft(url="http://pacs.example.org")) is None
    assert preview_roots(ServerDraft(url="")) is None
    assert preview_roots(ServerDraft(url="https://a.org", server_postfix="a?b")) is None
