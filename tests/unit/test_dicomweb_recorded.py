"""Real Orthanc 1.10 / DICOMweb 1.7 answers, recorded under tests/data/orthanc/.

``index.json`` says what each file is and which request produced it; bodies with a
``*.headers.json`` sidecar carry the status and response headers. The tests parse
every recording, and replay some through the client to check that it builds the
very request that was recorded. A missing file skips its tests.
"""

import asyncio
import json
from datetime import date
from pathlib import Path

import pytest

from app.dicomweb import media, tags
from app.dicomweb.client import DicomwebClient
from app.dicomweb.endpoints import ServerEndpoints
from app.dicomweb.errors import MalformedResponse
from app.dicomweb.multipart import parse_multipart_related
from app.dicomweb.query import InstanceQuery, Paging, StudyQuery
from app.dicomweb.records import (
    frames_from_multipart,
    parse_instances,
    parse_metadata,
    parse_series,
    parse_studies,
)
from app.dicomweb.testing import FakeTransport
from app.dicomweb.transport import Response

DATA = Path(__file__).resolve().parent.parent / "data" / "orthanc"
SIDECAR = ".headers.json"


def recording(name: str) -> Path:
    path = DATA / name
    if not path.is_file():
        pytest.skip(f"{path} has not been recorded")
    return path


def load_json(name: str) -> object:
    return json.loads(recording(name).read_text(encoding="utf-8"))


def sidecar(name: str) -> dict:
    loaded = load_json(name + SIDECAR)
    assert isinstance(loaded, dict)
    return loaded


def replayed(name: str) -> Response:
    """The recorded answer as a Response, headers and all."""
    meta = sidecar(name)
    headers = dict(meta["headers"])
    return Response(
        meta["status"], headers, recording(name).read_bytes(), meta["request"]["url"]
    )


def rs_root() -> str:
    index = load_json("index.json")
    assert isinstance(index, dict)
    return f"{index['base']}/rs"


def run(coroutine):
    return asyncio.run(coroutine)


def multipart_sidecars() -> list[Path]:
    return sorted(DATA.glob(f"*.multipart{SIDECAR}")) if DATA.is_dir() else []


@pytest.mark.parametrize(
    "path",
    multipart_sidecars() or [pytest.param(None, marks=pytest.mark.skip("none yet"))],
    ids=lambda path: path.name if path else "none",
)
def test_every_recorded_multipart_body_parses(path: Path):
    body = path.with_name(path.name[: -len(SIDECAR)])
    meta = json.loads(path.read_text(encoding="utf-8"))
    content_type = dict(meta["headers"]).get("Content-Type", "")
    if media.parse_media_type(content_type).essence != media.MULTIPART_RELATED:
        pytest.skip(f"{body.name} is {content_type}")

    message = parse_multipart_related(content_type, body.read_bytes())

    assert message.parts
    for part in message.parts:
        assert part.body
        assert part.content_location is not None
        assert message.part_transfer_syntax(part) in media.TRANSFER_SYNTAX_NAMES


def test_recorded_body_cut_anywhere_is_malformed():
    answer = replayed("frames_jpeg_baseline.multipart")
    content_type = answer.header("content-type") or ""
    boundary = media.parse_media_type(content_type).param("boundary") or ""
    closing = answer.body.rindex(f"--{boundary}--".encode())

    for cut in range(0, closing + len(boundary) + 4, 7):
        with pytest.raises(MalformedResponse):
            parse_multipart_related(content_type, answer.body[:cut])


def test_studies_with_non_ascii_names():
    studies = parse_studies(load_json("qido_studies.json"))

    assert len(studies) == 7
    names = {study.patient_name for study in studies}
    assert "Müller, Jürgen" in names
    assert "O'Brien, Seán" in names
    assert "Παπαδοπούλου, Ελένη" in names
    assert all("^" not in name for name in names)
    first = next(study for study in studies if study.patient_id == "ZHV-0001")
    assert (first.study_date, first.study_time) == ("2015-01-01", "08:00:00")
    assert first.patient_birth_date == "1960-04-12"
    assert first.modalities == ("CT",)
    assert first.study_description == "Chest PA and lateral #1"
    assert first.referring_physician == "House, Gregory"
    assert first.number_of_series == 1
    assert first.retrieve_url is not None
    assert first.retrieve_url.startswith(rs_root() + "/studies/")


def test_series_of_one_study():
    payload = load_json("qido_series.json")

    series = parse_series(payload, study_instance_uid="ignored")

    assert series
    assert all(item.modality == "MR" for item in series)
    assert all(item.study_instance_uid.endswith("185059.5457") for item in series)
    assert len({item.series_instance_uid for item in series}) == len(series)


def test_instances_without_number_of_frames():
    instances = parse_instances(
        load_json("qido_instances.json"),
        study_instance_uid="ignored",
        series_instance_uid="ignored",
    )

    assert len(instances) == 5
    assert all((item.rows, item.columns) == (512, 512) for item in instances)
    # Orthanc leaves (0028,0008) out of single-frame instances.
    assert all(
        item.number_of_frames is None and item.frame_count == 1 for item in instances
    )
    assert all(item.sop_class_uid == "1.2.840.10008.5.1.4.1.1.2" for item in instances)


def test_study_metadata_keeps_bulk_data_uris():
    items = parse_metadata(load_json("study_metadata.json"), study_instance_uid="x")

    assert len(items) == 3
    for item in items:
        pixel_data = item.attributes[tags.PIXEL_DATA.key]
        assert pixel_data["BulkDataURI"].endswith("/bulk/7fe00010")
        assert item.instance.series_instance_uid


def test_frames_in_explicit_little_endian():
    answer = replayed("frames_ct_small.multipart")
    message = parse_multipart_related(answer.header("content-type") or "", answer.body)

    (frame,) = frames_from_multipart(message, [1])

    assert frame.transfer_syntax_uid == media.EXPLICIT_VR_LITTLE_ENDIAN
    assert len(frame.data) == 128 * 128 * 2
    assert frame.content_location is not None
    assert frame.content_location.endswith("/frames/1")


def test_stored_jpeg_baseline_frame():
    answer = replayed("frames_jpeg_baseline.multipart")
    message = parse_multipart_related(answer.header("content-type") or "", answer.body)

    (frame,) = frames_from_multipart(message, [1])

    assert frame.media_type == media.IMAGE_JPEG
    assert frame.transfer_syntax_uid == media.JPEG_BASELINE_8BIT
    assert media.sniff_image_type(frame.data) == media.IMAGE_JPEG


def test_client_replays_the_recorded_multiframe_request():
    index = load_json("index.json")
    uids = index["uids"]["multiframe"]  # type: ignore[index]
    answer = replayed("frames_multiframe_1_50_100.multipart")
    fake = FakeTransport([answer])
    client = DicomwebClient(ServerEndpoints(rs_root(), rs_root()), fake)

    frames = run(
        client.retrieve_frames(uids["study"], uids["series"], uids["sop"], [1, 50, 100])
    )

    (request,) = fake.requests
    recorded = sidecar("frames_multiframe_1_50_100.multipart")["request"]
    assert request.url == recorded["url"]
    assert request.header("Accept") == recorded["accept"]
    assert [frame.number for frame in frames] == [1, 50, 100]
    assert all(len(frame.data) == 256 * 256 for frame in frames)
    locations = [frame.content_location or "" for frame in frames]
    assert [location.rsplit("/", 1)[-1] for location in locations] == ["1", "50", "100"]


def test_client_replays_the_recorded_study_search():
    fake = FakeTransport([replayed("qido_studies.json")])
    client = DicomwebClient(ServerEndpoints(rs_root(), rs_root()), fake)
    query = StudyQuery(date_from=date(2015, 1, 1), date_to=date(2015, 2, 28))

    studies = run(client.search_studies(query))

    assert fake.urls == [sidecar("qido_studies.json")["request"]["url"]]
    assert len(studies) == 7


def test_client_replays_the_recorded_instance_search():
    index = load_json("index.json")
    uids = index["uids"]["ct"]  # type: ignore[index]
    fake = FakeTransport([replayed("qido_instances.json")])
    client = DicomwebClient(ServerEndpoints(rs_root(), rs_root()), fake)

    instances = run(
        client.search_instances(
            uids["study"], uids["series"], InstanceQuery(paging=Paging(limit=5))
        )
    )

    assert fake.urls == [sidecar("qido_instances.json")["request"]["url"]]
    assert len(instances) == 5


@pytest.mark.parametrize("name", ["rendered_ct.json", "wado_uri_rendered.json"])
def test_rendered_answers_are_jpeg_whatever_the_label(name):
    meta = load_json(name)
    assert isinstance(meta, dict)

    first_bytes = bytes.fromhex(meta["first_bytes_hex"])

    assert media.sniff_image_type(first_bytes) == media.IMAGE_JPEG
    labels = {value for key, value in meta["headers"] if key.lower() == "content-type"}
    if name == "wado_uri_rendered.json":
        assert labels == {media.IMAGE_PNG}  # the Orthanc 1.10 quirk the client sniffs
