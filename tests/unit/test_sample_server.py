"""The sample DICOMweb server of serve.py, through the real client over real HTTP.

serve.py runs in a thread on a free port; the viewer's DicomwebClient talks to it
through a small http.client transport. Frames are compared with the pixels of the
datasets scripts/make_sample_data.py builds, and the script must rebuild the
shipped archive exactly.
"""

from __future__ import annotations

import asyncio
import gzip
import http.client
import importlib.util
import io
import itertools
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pydicom
import pytest
from PIL import Image

import serve
from app.dicomweb import (
    DicomwebClient,
    HttpStatusError,
    NetworkError,
    Paging,
    RenderOptions,
    Request,
    RequestTimeout,
    Response,
    SeriesQuery,
    ServerEndpoints,
    StudyQuery,
)
from app.dicomweb.media import (
    EXPLICIT_VR_LITTLE_ENDIAN,
    FRAMES_ACCEPT_STORED,
    IMAGE_JPEG,
    IMAGE_PNG,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "assets" / "sample"
MAX_ARCHIVE_BYTES = 4_000_000


def load_script() -> ModuleType:
    path = ROOT / "scripts" / "make_sample_data.py"
    spec = importlib.util.spec_from_file_location("make_sample_data", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


make_sample_data = load_script()


class HttpClientTransport:
    """The Transport seam on CPython: http.client in a worker thread."""

    def __init__(self) -> None:
        self.requests: list[Request] = []

    async def send(self, request: Request) -> Response:
        self.requests.append(request)
        return await asyncio.to_thread(self._send, request)

    def _send(self, request: Request) -> Response:
        parts = urlsplit(request.url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection = http.client.HTTPConnection(
            parts.hostname or "", parts.port, timeout=request.timeout
        )
        try:
            connection.request(request.method, target, headers=dict(request.headers))
            answer = connection.getresponse()
            body = answer.read()
        except TimeoutError:
            raise RequestTimeout(request.url, request.timeout) from None
        except OSError as error:
            raise NetworkError(request.url, type(error).__name__) from None
        finally:
            connection.close()
        return Response(answer.status, dict(answer.getheaders()), body, request.url)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    server = serve.SiteServer(("127.0.0.1", 0), serve.SiteHandler)
    server.quiet = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def transport() -> HttpClientTransport:
    return HttpClientTransport()


@pytest.fixture
def client(port: int, transport: HttpClientTransport) -> DicomwebClient:
    root = f"http://127.0.0.1:{port}/sample"
    endpoints = ServerEndpoints(
        qido_rs=f"{root}/rs",
        wado_rs=f"{root}/rs",
        wado_uri=f"{root}/wado",
        qido_supports_include_field=False,
        supports_fuzzy_matching=False,
    )
    return DicomwebClient(endpoints, transport)


@pytest.fixture(scope="module")
def studies() -> Any:
    """The archive's datasets, pixels included, as the script builds them."""
    return make_sample_data.build_studies()


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def get(port: int, path: str, accept: str | None = None, method: str = "GET") -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request(method, path, headers={"Accept": accept} if accept else {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def names(found: Any) -> list[str]:
    return [study.patient_name for study in found]


# QIDO-RS --------------------------------------------------------------------------


def test_all_studies_newest_first_with_their_counts(client: DicomwebClient) -> None:
    found = run(client.search_studies())

    assert names(found) == ["O'Brien, Siobhan", "Muster, Jürgen", "Doe, Jane"]
    assert [s.study_date for s in found] == ["2025-01-17", "2024-03-12", "2023-09-05"]
    assert [s.modalities for s in found] == [("US",), ("CT", "OT"), ("MR",)]
    assert [(s.number_of_series, s.number_of_instances) for s in found] == [
        (1, 1),
        (2, 41),
        (1, 6),
    ]
    ct = found[1]
    assert (ct.patient_id, ct.accession_number, ct.study_description) == (
        "ZH-0001",
        "A24031201",
        "CT Thorax phantom",
    )
    assert ct.study_instance_uid == make_sample_data.make_uid("ct-thorax/study")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Jürgen", ["Muster, Jürgen"]),
        ("muster", ["Muster, Jürgen"]),
        ("Muster, Jürgen", ["Muster, Jürgen"]),
        ("O'Brien", ["O'Brien, Siobhan"]),
        ("doe, j", ["Doe, Jane"]),
        ("Müller", []),
    ],
)
def test_patient_name_search(
    client: DicomwebClient, typed: str, expected: list[str]
) -> None:
    assert names(run(client.search_studies(StudyQuery(patient_name=typed)))) == expected


def test_the_non_ascii_name_goes_out_as_a_wildcard(
    client: DicomwebClient, transport: HttpClientTransport
) -> None:
    run(client.search_studies(StudyQuery(patient_name="Jürgen")))

    assert transport.requests[0].url.endswith("/sample/rs/studies?PatientName=J*rgen*")


def test_a_percent_encoded_name_is_decoded(port: int) -> None:
    response, body = get(port, "/sample/rs/studies?PatientName=Muster%5EJ%C3%BCrgen")

    assert response.status == 200
    assert "Muster^Jürgen" in body.decode("utf-8")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (StudyQuery(patient_id="ZH-0002"), ["Doe, Jane"]),
        (StudyQuery(patient_id="ZH-000"), []),
        (
            StudyQuery(patient_id="zh-000?"),
            ["O'Brien, Siobhan", "Muster, Jürgen", "Doe, Jane"],
        ),
        (StudyQuery(accession_number="A24031201"), ["Muster, Jürgen"]),
        (StudyQuery(description="thorax"), ["Muster, Jürgen"]),
        (StudyQuery(modality="ct"), ["Muster, Jürgen"]),
        (StudyQuery(modality="OT, MR"), ["Muster, Jürgen", "Doe, Jane"]),
        (
            StudyQuery(date_from=date(2024, 3, 12)),
            ["O'Brien, Siobhan", "Muster, Jürgen"],
        ),
        (StudyQuery(date_to=date(2024, 3, 11)), ["Doe, Jane"]),
        (
            StudyQuery(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31)),
            ["Muster, Jürgen"],
        ),
        (
            StudyQuery(date_from=date(2024, 3, 12), date_to=date(2024, 3, 12)),
            ["Muster, Jürgen"],
        ),
        (StudyQuery(patient_name="doe", modality="CT"), []),
    ],
)
def test_study_filters(
    client: DicomwebClient, query: StudyQuery, expected: list[str]
) -> None:
    assert names(run(client.search_studies(query))) == expected


def test_paging_with_limit_and_offset(client: DicomwebClient) -> None:
    def page(limit: int, offset: int) -> list[str]:
        query = StudyQuery(paging=Paging(limit=limit, offset=offset))
        return names(run(client.search_studies(query)))

    assert page(2, 0) == ["O'Brien, Siobhan", "Muster, Jürgen"]
    assert page(2, 2) == ["Doe, Jane"]
    assert page(1, 1) == ["Muster, Jürgen"]
    assert page(5, 3) == []


def test_no_match_is_204_no_content(port: int) -> None:
    response, body = get(port, "/sample/rs/studies?PatientName=Nobody*")

    assert (response.status, body) == (204, b"")
    assert response.getheader("Content-Length") is None


def ct_study(client: DicomwebClient) -> Any:
    return run(client.search_studies(StudyQuery(patient_id="ZH-0001")))[0]


def test_series_of_a_study_and_their_filters(client: DicomwebClient) -> None:
    study = ct_study(client)

    series = run(client.search_series(study.study_instance_uid))
    assert [(s.modality, s.series_number, s.series_description) for s in series] == [
        ("CT", 1, "Thorax 5.0 mm"),
        ("OT", 2, "Colour test pattern"),
    ]
    assert [s.number_of_instances for s in series] == [40, 1]
    assert series[0].body_part == "CHEST"

    only = run(
        client.search_series(study.study_instance_uid, SeriesQuery(modality="OT"))
    )
    assert [s.modality for s in only] == ["OT"]
    described = SeriesQuery(description="thorax")
    only = run(client.search_series(study.study_instance_uid, described))
    assert [s.modality for s in only] == ["CT"]


def test_instances_of_a_series(client: DicomwebClient) -> None:
    study = ct_study(client)
    series = run(client.search_series(study.study_instance_uid))[0]

    instances = run(
        client.search_instances(study.study_instance_uid, series.series_instance_uid)
    )

    assert [i.instance_number for i in instances] == list(range(1, 41))
    assert {(i.rows, i.columns, i.frame_count) for i in instances} == {(256, 256, 1)}
    assert {i.sop_class_uid for i in instances} == {make_sample_data.CT_IMAGE_STORAGE}


# WADO-RS --------------------------------------------------------------------------


def test_series_and_study_metadata(client: DicomwebClient) -> None:
    study = ct_study(client)
    ct, colour = run(client.search_series(study.study_instance_uid))

    metadata = run(
        client.retrieve_series_metadata(
            study.study_instance_uid, ct.series_instance_uid
        )
    )

    assert len(metadata) == 40
    first = metadata[0].attributes
    assert "7FE00010" not in first
    assert first["00280030"]["Value"] == [1.5, 1.5]  # (0028,0030) Pixel Spacing
    assert first["00281052"]["Value"] == [-1024.0]  # (0028,1052) Rescale Intercept
    assert first["00020010"]["Value"] == [EXPLICIT_VR_LITTLE_ENDIAN]
    assert first["00080005"]["Value"] == ["ISO_IR 192"]
    # (0020,0032) Image Position (Patient) steps 5 mm in z from slice to slice.
    z = [m.attributes["00200032"]["Value"][2] for m in metadata]
    assert {after - before for before, after in itertools.pairwise(z)} == {5.0}

    whole = run(client.retrieve_study_metadata(study.study_instance_uid))
    assert len(whole) == 41
    assert whole[-1].instance.series_instance_uid == colour.series_instance_uid


def frames_of(client: DicomwebClient, ds: Any, numbers: list[int]) -> Any:
    return run(
        client.retrieve_frames(
            ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID, numbers
        )
    )


def pixels(ds: Any) -> np.ndarray:
    """pydicom's own reading of the dataset's pixel data."""
    ds.file_meta = make_sample_data.file_meta(ds)
    return ds.pixel_array


def test_ct_frames_are_the_generated_pixels(
    client: DicomwebClient, transport: HttpClientTransport, studies: Any
) -> None:
    ds = studies[1].series[0].instances[9]

    (frame,) = frames_of(client, ds, [1])

    assert frame.transfer_syntax_uid == EXPLICIT_VR_LITTLE_ENDIAN
    assert frame.data == ds.PixelData
    served = np.frombuffer(frame.data, dtype="<i2").reshape(256, 256)
    assert np.array_equal(served, pixels(ds))
    hu = served.astype(float) + ds.RescaleIntercept
    assert hu.min() >= -1010 and hu.max() >= 690  # air and the bone ring
    # The stored syntax was asked first, and no fallback was needed.
    assert [r.header("Accept") for r in transport.requests] == [FRAMES_ACCEPT_STORED]


def test_multi_frame_frames_come_in_the_order_asked(
    client: DicomwebClient, studies: Any
) -> None:
    ds = studies[0].series[0].instances[0]
    expected = pixels(ds)

    frames = frames_of(client, ds, [3, 1, 20])

    assert [f.number for f in frames] == [3, 1, 20]
    for frame in frames:
        served = np.frombuffer(frame.data, dtype=np.uint8).reshape(128, 128)
        assert np.array_equal(served, expected[frame.number - 1])
    assert not np.array_equal(expected[0], expected[10])  # it does move


def test_rgb_and_mr_frames(client: DicomwebClient, studies: Any) -> None:
    colour = studies[1].series[1].instances[0]
    (frame,) = frames_of(client, colour, [1])
    served = np.frombuffer(frame.data, dtype=np.uint8).reshape(256, 256, 3)
    assert np.array_equal(served, pixels(colour))
    assert (colour.PhotometricInterpretation, colour.PlanarConfiguration) == ("RGB", 0)

    mr = studies[2].series[0].instances[3]
    (frame,) = frames_of(client, mr, [1])
    served = np.frombuffer(frame.data, dtype="<u2").reshape(256, 256)
    assert np.array_equal(served, pixels(mr))
    assert "RescaleSlope" not in mr


@pytest.mark.parametrize(
    "accept",
    [
        'multipart/related; type="application/octet-stream"; transfer-syntax=*',
        'multipart/related; type="application/octet-stream"',
        "multipart/related; type=application/octet-stream; "
        "transfer-syntax=1.2.840.10008.1.2.1",
        "image/jpeg, multipart/related",
        None,
    ],
)
def test_frames_answer_explicit_vr_little_endian_to_every_fitting_accept(
    port: int, studies: Any, accept: str | None
) -> None:
    ds = studies[0].series[0].instances[0]
    path = (
        f"/sample/rs/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}"
        f"/instances/{ds.SOPInstanceUID}/frames/2"
    )

    response, body = get(port, path, accept)

    assert response.status == 200
    content_type = response.getheader("Content-Type")
    assert content_type.startswith('multipart/related; type="application/octet-stream"')
    assert (
        b"Content-Type: application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1"
        in body
    )
    assert ds.PixelData[16384:32768] in body


@pytest.mark.parametrize(
    "accept",
    [
        "image/jpeg",
        'multipart/related; type="image/jls"',
        'multipart/related; type="application/octet-stream"; '
        "transfer-syntax=1.2.840.10008.1.2.4.50",
    ],
)
def test_frames_in_other_forms_are_406(port: int, studies: Any, accept: str) -> None:
    ds = studies[0].series[0].instances[0]
    path = (
        f"/sample/rs/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}"
        f"/instances/{ds.SOPInstanceUID}/frames/1"
    )

    response, body = get(port, path, accept)

    assert response.status == 406
    assert b"Explicit VR Little Endian" in body


def rendered(client: DicomwebClient, ds: Any, size: int, **kwargs: Any) -> np.ndarray:
    options = RenderOptions(viewport=(size, size))
    image = run(
        client.retrieve_rendered(
            ds.StudyInstanceUID,
            ds.SeriesInstanceUID,
            ds.SOPInstanceUID,
            options=options,
            **kwargs,
        )
    )
    assert image.media_type == IMAGE_PNG
    return np.asarray(Image.open(io.BytesIO(image.data)))


def test_a_ct_thumbnail_is_windowed_and_shrunk(
    client: DicomwebClient, transport: HttpClientTransport, studies: Any
) -> None:
    ds = studies[1].series[0].instances[0]

    shown = rendered(client, ds, 64)

    # The client asks for JPEG; the sample answers PNG, which the client accepts.
    assert transport.requests[0].header("Accept") == IMAGE_JPEG
    assert transport.requests[0].url.endswith("/rendered?viewport=64,64")
    hu = pixels(ds)[::4, ::4] * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    # (0028,1050) and (0028,1051): the first window, 40/400.
    expected = np.clip(np.floor((hu - (40 - 400 / 2)) * 255 / 400), 0, 255)
    assert shown.shape == (64, 64)
    assert np.array_equal(shown, expected)


def test_rgb_and_multi_frame_thumbnails(client: DicomwebClient, studies: Any) -> None:
    colour = studies[1].series[1].instances[0]
    assert np.array_equal(rendered(client, colour, 64), pixels(colour)[::4, ::4])

    loop = studies[0].series[0].instances[0]
    fifth = rendered(client, loop, 128, frame_number=5)
    # No window in the dataset: the full 8-bit range, 128/256.
    assert np.array_equal(fifth, np.floor(pixels(loop)[4].astype(float) * 255 / 256))


@pytest.mark.parametrize("query", ["viewport=64", "viewport=a,b", "window=40"])
def test_bad_render_parameters_are_400(port: int, studies: Any, query: str) -> None:
    ds = studies[2].series[0].instances[0]
    path = (
        f"/sample/rs/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}"
        f"/instances/{ds.SOPInstanceUID}/rendered?{query}"
    )

    response, body = get(port, path)

    assert response.status == 400
    assert b"is invalid; give two numbers" in body


# What it does not answer ----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/sample", 404, "is not a resource of the sample server"),
        ("/sample/rs/nothing-here", 404, "is not a resource of the sample server"),
        ("/sample/wado?requestType=WADO", 404, "is not a resource"),
        ("/sample/rs/studies/1.2.3/series", 404, "has no study '1.2.3'"),
        ("/sample/rs/studies?Foo=bar", 400, "Matching on 'Foo' is not supported"),
        ("/sample/rs/studies?StudyDate=2024", 400, "The date '2024' is invalid"),
        ("/sample/rs/studies?limit=ten", 400, "limit='ten' is invalid"),
    ],
)
def test_errors_are_short_sentences(
    port: int, path: str, status: int, message: str
) -> None:
    response, body = get(port, path)

    assert response.status == status
    assert response.getheader("Content-Type") == "text/plain; charset=utf-8"
    assert message in body.decode("utf-8")


def test_unknown_paths_and_frames_are_404_through_the_client(
    client: DicomwebClient, studies: Any
) -> None:
    with pytest.raises(HttpStatusError) as caught:
        run(client.search_series("1.2.3"))
    assert caught.value.status == 404

    ds = studies[2].series[0].instances[0]
    with pytest.raises(HttpStatusError) as caught:
        frames_of(client, ds, [2])
    assert caught.value.status == 404


def test_answers_carry_the_site_headers_and_allow_other_origins(port: int) -> None:
    response, _ = get(port, "/sample/rs/studies")
    assert response.getheader("Cache-Control") == "no-cache"
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    assert response.getheader("X-Content-Type-Options") == "nosniff"

    preflight, _ = get(port, "/sample/rs/studies", method="OPTIONS")
    assert preflight.status == 204
    assert "Accept" in preflight.getheader("Access-Control-Allow-Headers")

    head, body = get(port, "/sample/rs/studies", method="HEAD")
    assert (head.status, body) == (200, b"")
    assert get(port, "/", method="OPTIONS")[0].status == 501


def test_the_startup_line_names_the_sample_url() -> None:
    assert serve.sample_notice("127.0.0.1", 8000) == (
        "Sample DICOMweb server at http://127.0.0.1:8000/sample "
        "(QIDO-RS and WADO-RS under http://127.0.0.1:8000/sample/rs)"
    )
    other = serve.sample_notice("0.0.0.0", 8123)
    assert other.startswith("Sample DICOMweb server at http://127.0.0.1:8123/sample")
    assert 'The "Sample Server" preset expects http://127.0.0.1:8000/sample' in other
    assert "add a server with the URL http://127.0.0.1:8123/sample" in other


# The archive ----------------------------------------------------------------------


def archive_files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_script_rebuilds_the_shipped_archive(tmp_path: Path, studies: Any) -> None:
    made = make_sample_data.write_archive(tmp_path / "a", studies)
    again = make_sample_data.write_archive(
        tmp_path / "b", make_sample_data.build_studies()
    )
    shipped = archive_files(SAMPLE)

    assert archive_files(tmp_path / "a") == made == again  # same bytes every run
    assert sorted(made) == sorted(shipped)
    for name, data in made.items():
        if name.endswith(".gz"):
            # Compare what is inside: another zlib may compress the same differently.
            assert gzip.decompress(data) == gzip.decompress(shipped[name]), name
        else:
            assert data == shipped[name], name


def test_the_archive_is_small_and_synthetic() -> None:
    assert sum(len(data) for data in archive_files(SAMPLE).values()) < MAX_ARCHIVE_BYTES
    index = (SAMPLE / "index.json").read_text("utf-8")
    assert "not patient data" in index


def test_the_datasets_are_valid_dicom_files(tmp_path: Path, studies: Any) -> None:
    count = make_sample_data.write_part10(tmp_path, studies)

    assert count == 48
    ds = pydicom.dcmread(tmp_path / "study-2" / "series-1" / "0001.dcm")
    assert str(ds.PatientName) == "Muster^Jürgen"
    assert ds.file_meta.TransferSyntaxUID == EXPLICIT_VR_LITTLE_ENDIAN
    assert ds.pixel_array.shape == (256, 256)
    loop = pydicom.dcmread(tmp_path / "study-1" / "series-1" / "0001.dcm")
    assert loop.pixel_array.shape == (20, 128, 128)


@pytest.mark.parametrize(
    ("index", "status", "message"),
    [
        (None, 404, "There is no sample archive (assets/sample/index.json)"),
        ("{", 500, "The sample archive cannot be read (JSONDecodeError"),
        ('{"format": "other", "version": 1}', 500, "format 'other' is not known"),
    ],
)
def test_a_missing_or_damaged_archive_is_said_plainly(
    tmp_path: Path, index: str | None, status: int, message: str
) -> None:
    if index is not None:
        (tmp_path / "index.json").write_text(index)
    server = serve.SiteServer(("127.0.0.1", 0), serve.SiteHandler)
    server.quiet = True
    server.sample_folder = tmp_path
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        response, body = get(server.server_address[1], "/sample/rs/studies")
    finally:
        server.shutdown()
        server.server_close()

    assert response.status == status
    assert message in body.decode("utf-8")
    assert "make it" in body.decode("utf-8")
