"""Parse real Orthanc answers recorded under tests/data/orthanc/.

Recordings are DICOM JSON files (QIDO-RS and metadata answers) and response bodies
with a ``*.headers.json`` sidecar holding the response headers (``name.bin`` goes
with ``name.headers.json`` or ``name.bin.headers.json``). Every recording found is
parsed; the suite is skipped while there are none.
"""

import json
from pathlib import Path

import pytest

from app.dicomweb import media, tags
from app.dicomweb.multipart import parse_multipart_related
from app.dicomweb.records import (
    parse_instances,
    parse_metadata,
    parse_series,
    parse_studies,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "orthanc"
SIDECAR = ".headers.json"


def sidecars() -> list[Path]:
    return sorted(DATA.rglob(f"*{SIDECAR}")) if DATA.is_dir() else []


def dicom_json_files() -> list[Path]:
    if not DATA.is_dir():
        return []

    return sorted(
        path for path in DATA.rglob("*.json") if not path.name.endswith(SIDECAR)
    )


def body_for(sidecar: Path) -> Path | None:
    stem = sidecar.name[: -len(SIDECAR)]
    exact = sidecar.with_name(stem)
    if exact.is_file():
        return exact

    matches = sorted(
        path
        for path in sidecar.parent.glob(f"{stem}.*")
        if path != sidecar and not path.name.endswith(SIDECAR)
    )
    return matches[0] if matches else None


def header(sidecar: object, name: str) -> str | None:
    """A header from a sidecar: an object, a list of pairs, or {"headers": either}."""
    if isinstance(sidecar, dict) and "headers" in sidecar:
        sidecar = sidecar["headers"]

    if isinstance(sidecar, dict):
        pairs = list(sidecar.items())
    elif isinstance(sidecar, list):
        pairs = [tuple(pair) for pair in sidecar]
    else:
        pairs = []

    for key, value in pairs:
        if str(key).lower() == name.lower():
            return str(value[0] if isinstance(value, list) else value)
    return None


def present(paths: list[Path]) -> list[Path]:
    if paths:
        return paths
    return [
        pytest.param(None, marks=pytest.mark.skip(reason=f"no recordings in {DATA}"))
    ]


@pytest.mark.parametrize("path", present(dicom_json_files()), ids=str)
def test_recorded_dicom_json_parses(path: Path):
    payload = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(payload, list) or not payload or not isinstance(payload[0], dict):
        pytest.skip(f"{path.name} is not a DICOM JSON answer with datasets")

    first = payload[0]
    if tags.SOP_INSTANCE_UID.key in first:
        items = parse_metadata(payload, study_instance_uid="context")
        assert len(items) == len(payload)
        assert all(item.instance.sop_instance_uid for item in items)
        instances = parse_instances(
            payload, study_instance_uid="context", series_instance_uid="context"
        )
        assert all(instance.frame_count >= 1 for instance in instances)
    elif tags.SERIES_INSTANCE_UID.key in first:
        series = parse_series(payload, study_instance_uid="context")
        assert len(series) == len(payload)
        assert all(item.series_instance_uid for item in series)
    elif tags.STUDY_INSTANCE_UID.key in first:
        studies = parse_studies(payload)
        assert len(studies) == len(payload)
        assert all(study.study_instance_uid for study in studies)
        assert all("^" not in study.patient_name for study in studies)
    else:
        pytest.skip(f"{path.name} holds no study, series or instance UIDs")


@pytest.mark.parametrize("sidecar", present(sidecars()), ids=str)
def test_recorded_multipart_parses(sidecar: Path):
    body_path = body_for(sidecar)
    assert body_path is not None, f"no body next to {sidecar.name}"
    headers = json.loads(sidecar.read_text(encoding="utf-8"))
    content_type = header(headers, "Content-Type") or ""
    if media.parse_media_type(content_type).essence != media.MULTIPART_RELATED:
        pytest.skip(
            f"{body_path.name} is {content_type or 'unlabelled'}, not multipart"
        )

    message = parse_multipart_related(content_type, body_path.read_bytes())

    assert message.parts
    for part in message.parts:
        assert part.body
        if message.part_media_type(part) == media.DICOM:
            assert media.looks_like_part10(part.body)
        else:
            syntax = message.part_transfer_syntax(part)
            assert syntax in media.TRANSFER_SYNTAX_NAMES, syntax
