"""DicomwebClient with a FakeTransport: URLs, headers, retry, fallback, cancellation."""

import asyncio
import logging

import pytest

from app.dicomweb import client as client_module
from app.dicomweb import media
from app.dicomweb.auth import BasicAuth, BearerToken
from app.dicomweb.client import DicomwebClient, RetryPolicy
from app.dicomweb.endpoints import ServerEndpoints
from app.dicomweb.errors import (
    EndpointError,
    HttpStatusError,
    MalformedResponse,
    NetworkError,
    RequestTimeout,
    UnsupportedTransferSyntax,
)
from app.dicomweb.query import Paging, StudyQuery
from app.dicomweb.testing import (
    FakeTransport,
    Hang,
    json_response,
    multipart_response,
    status_response,
)
from app.dicomweb.transport import Request, Response
from app.dicomweb.urls import RenderOptions, Window

RS = "https://pacs.example/dicom-web"
URI = "https://pacs.example/wado"
BASIC = "Basic dXNlcjpzZWNyZXQ="
INSTANCE = f"{RS}/studies/1.2/series/1.2.3/instances/1.2.3.4"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00rest"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
PART10 = b"\x00" * 128 + b"DICM" + b"\x02\x00\x00\x00"
ELE_TYPE = 'type="application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1"'

STUDY_JSON = {
    "0020000D": {"vr": "UI", "Value": ["1.2"]},
    "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^John"}]},
    "00100020": {"vr": "LO", "Value": ["PID-12345"]},
}


class Sleeps:
    """A sleep that records its delays and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def make_client(
    transport: FakeTransport,
    sleeps: Sleeps | None = None,
    **endpoint_options: object,
) -> DicomwebClient:
    options: dict[str, object] = {
        "qido_rs": RS,
        "wado_rs": RS,
        "wado_uri": URI,
        "credentials": BasicAuth("user", "secret"),
    }
    options.update(endpoint_options)
    endpoints = ServerEndpoints(**options)  # type: ignore[arg-type]
    return DicomwebClient(endpoints, transport, sleep=sleeps or Sleeps())


def run(coroutine):
    return asyncio.run(coroutine)


# QIDO-RS


def test_search_studies_sends_exact_url_and_headers():
    fake = FakeTransport([json_response([STUDY_JSON])])
    client = make_client(fake)

    studies = run(
        client.search_studies(StudyQuery(patient_name="Doe^J", paging=Paging(limit=25)))
    )

    (request,) = fake.requests
    assert request.url == (
        f"{RS}/studies?PatientName=Doe^J*&includefield=StudyDescription&limit=25"
    )
    assert dict(request.headers) == {
        "Accept": "application/dicom+json",
        "Authorization": BASIC,
    }
    assert request.timeout == 30.0
    assert request.method == "GET"
    assert [study.patient_name for study in studies] == ["Doe, John"]


def test_search_with_fuzzy_matching_and_no_includefield():
    fake = FakeTransport([json_response([])])
    client = make_client(
        fake, supports_fuzzy_matching=True, qido_supports_include_field=False
    )

    run(client.search_studies(StudyQuery(patient_name="José Müller")))

    assert fake.urls == [f"{RS}/studies?PatientName=Jos*?M*ller&fuzzymatching=true"]


def test_search_series_and_instances_are_study_rooted():
    series_json = {"0020000E": {"vr": "UI", "Value": ["1.2.3"]}}
    instance_json = {"00080018": {"vr": "UI", "Value": ["1.2.3.4"]}}
    fake = FakeTransport([json_response([series_json]), json_response([instance_json])])
    client = make_client(fake)

    series = run(client.search_series("1.2"))
    instances = run(client.search_instances("1.2", "1.2.3"))

    assert fake.urls == [
        f"{RS}/studies/1.2/series?includefield=SeriesDescription,BodyPartExamined",
        f"{RS}/studies/1.2/series/1.2.3/instances",
    ]
    assert series[0].study_instance_uid == "1.2"
    assert instances[0].series_instance_uid == "1.2.3"


@pytest.mark.parametrize(
    "response",
    [
        status_response(204),
        Response(200, {"Content-Type": "application/dicom+json"}, b""),
        Response(200, {"Content-Type": "application/dicom+json"}, b"  \n"),
    ],
)
def test_no_content_means_no_results(response):
    client = make_client(FakeTransport([response]))

    assert run(client.search_studies()) == ()


def test_invalid_json_is_malformed_with_the_url():
    body = b"<html>login</html>"
    fake = FakeTransport([Response(200, {"Content-Type": "text/html"}, body)])

    with pytest.raises(MalformedResponse, match="not valid JSON") as caught:
        run(make_client(fake).search_studies())

    assert caught.value.url == f"{RS}/studies?includefield=StudyDescription"


def test_json_that_is_not_a_list_is_malformed_with_the_url():
    fake = FakeTransport([json_response({"error": "x"})])

    with pytest.raises(MalformedResponse) as caught:
        run(make_client(fake).search_series("1.2"))

    assert caught.value.url is not None
    assert caught.value.url.startswith(f"{RS}/studies/1.2/series")


def test_plain_json_label_is_accepted():
    body = b'[{"0020000D": {"vr": "UI", "Value": ["9"]}}]'
    fake = FakeTransport([Response(200, {"content-type": "application/json"}, body)])

    studies = run(make_client(fake).search_studies())

    assert studies[0].study_instance_uid == "9"


def test_warning_header_is_logged(caplog):
    fake = FakeTransport(
        [json_response([], headers={"Warning": "299 pacs: truncated"})]
    )

    with caplog.at_level(logging.WARNING):
        run(make_client(fake).search_studies())

    assert "299 pacs: truncated" in caplog.text


# WADO-RS metadata


def test_series_metadata():
    dataset = {
        "00080018": {"vr": "UI", "Value": ["1.2.3.4"]},
        "00281050": {"vr": "DS", "Value": [40]},
    }
    fake = FakeTransport([json_response([dataset])])

    (item,) = run(make_client(fake).retrieve_series_metadata("1.2", "1.2.3"))

    assert fake.urls == [f"{RS}/studies/1.2/series/1.2.3/metadata"]
    assert fake.requests[0].header("accept") == media.DICOM_JSON
    assert item.instance.sop_instance_uid == "1.2.3.4"
    assert item.instance.series_instance_uid == "1.2.3"
    assert item.attributes["00281050"]["Value"] == [40]


def test_study_metadata():
    fake = FakeTransport([json_response([])])

    assert run(make_client(fake).retrieve_study_metadata("1.2")) == ()
    assert fake.urls == [f"{RS}/studies/1.2/metadata"]


# Retry and backoff


def test_server_errors_are_retried_with_backoff():
    fake = FakeTransport(
        [status_response(503), status_response(502), json_response([])]
    )
    sleeps = Sleeps()

    run(make_client(fake, sleeps).search_studies())

    assert len(fake.requests) == 3
    assert sleeps.delays == [0.25, 0.5]


def test_persistent_server_error_raises_with_status_and_url():
    fake = FakeTransport([status_response(500)] * 3)
    sleeps = Sleeps()

    with pytest.raises(HttpStatusError) as caught:
        run(make_client(fake, sleeps).search_studies())

    assert caught.value.status == 500
    assert caught.value.url == f"{RS}/studies?includefield=StudyDescription"
    assert len(fake.requests) == 3
    assert sleeps.delays == [0.25, 0.5]


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(status):
    fake = FakeTransport([status_response(status)])
    sleeps = Sleeps()

    with pytest.raises(HttpStatusError) as caught:
        run(make_client(fake, sleeps).search_studies())

    assert caught.value.status == status
    assert len(fake.requests) == 1
    assert sleeps.delays == []


def test_network_errors_are_retried_then_raised():
    failure = NetworkError(f"{RS}/studies", "TypeError: Failed to fetch")
    fake = FakeTransport([failure, failure, failure])
    sleeps = Sleeps()

    with pytest.raises(NetworkError):
        run(make_client(fake, sleeps).search_studies())

    assert len(fake.requests) == 3
    assert sleeps.delays == [0.25, 0.5]


def test_network_error_then_success():
    fake = FakeTransport([NetworkError(f"{RS}/studies"), json_response([])])

    assert run(make_client(fake).search_studies()) == ()
    assert len(fake.requests) == 2


def test_retry_policy_is_configurable():
    fake = FakeTransport([status_response(503)] * 4)
    sleeps = Sleeps()
    endpoints = ServerEndpoints(RS, RS)
    client = DicomwebClient(
        endpoints, fake, retry=RetryPolicy(attempts=4, first_delay=1.0), sleep=sleeps
    )

    with pytest.raises(HttpStatusError):
        run(client.search_studies())

    assert sleeps.delays == [1.0, 2.0, 4.0]


def test_a_single_attempt_never_sleeps():
    fake = FakeTransport([status_response(503)])
    sleeps = Sleeps()
    client = DicomwebClient(
        ServerEndpoints(RS, RS), fake, retry=RetryPolicy(attempts=1), sleep=sleeps
    )

    with pytest.raises(HttpStatusError):
        run(client.search_studies())

    assert sleeps.delays == []


# Timeout and cancellation


def test_timeout_is_passed_to_the_transport():
    fake = FakeTransport([json_response([])])
    client = DicomwebClient(ServerEndpoints(RS, RS), fake, timeout=5.0)

    run(client.search_studies())

    assert fake.requests[0].timeout == 5.0


def test_transport_timeout_is_raised_and_not_retried():
    fake = FakeTransport([RequestTimeout(f"{RS}/studies", 30.0)])
    sleeps = Sleeps()

    with pytest.raises(RequestTimeout):
        run(make_client(fake, sleeps).search_studies())

    assert len(fake.requests) == 1
    assert sleeps.delays == []


def test_client_stops_waiting_for_a_transport_that_ignores_the_timeout(monkeypatch):
    monkeypatch.setattr(client_module, "_TIMEOUT_GRACE", 0.01)
    fake = FakeTransport([Hang()])
    client = DicomwebClient(ServerEndpoints(RS, RS), fake, timeout=0.01)

    with pytest.raises(RequestTimeout) as caught:
        run(client.search_studies())

    assert caught.value.timeout == 0.01
    assert fake.cancelled == 1
    assert len(fake.requests) == 1


def test_cancellation_propagates_and_is_not_retried():
    fake = FakeTransport([Hang(), json_response([])])
    sleeps = Sleeps()
    client = make_client(fake, sleeps)

    async def scenario():
        task = asyncio.create_task(client.search_studies())
        while not fake.requests:
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(scenario())

    assert fake.cancelled == 1
    assert len(fake.requests) == 1
    assert sleeps.delays == []


def test_cancellation_during_backoff_propagates():
    fake = FakeTransport([status_response(503), json_response([])])
    started = []

    async def slow_sleep(delay: float) -> None:
        started.append(delay)
        await asyncio.Event().wait()

    client = DicomwebClient(ServerEndpoints(RS, RS), fake, sleep=slow_sleep)

    async def scenario():
        task = asyncio.create_task(client.search_studies())
        while not started:
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(scenario())

    assert started == [0.25]
    assert len(fake.requests) == 1


# Frames and the transfer syntax fallback


def frames_answer(*parts: tuple[str, bytes], root: str = ELE_TYPE) -> Response:
    return multipart_response(parts, type_param=root)


def jpeg_part(data: bytes = JPEG) -> tuple[str, bytes]:
    return (f"image/jpeg; transfer-syntax={media.JPEG_BASELINE_8BIT}", data)


def test_frames_in_the_stored_decodable_syntax_take_one_request():
    answer = frames_answer(
        jpeg_part(JPEG + b"1"),
        jpeg_part(JPEG + b"2"),
        root=f'type="image/jpeg; transfer-syntax={media.JPEG_BASELINE_8BIT}"',
    )
    fake = FakeTransport([answer])

    frames = run(make_client(fake).retrieve_frames("1.2", "1.2.3", "1.2.3.4", [1, 2]))

    (request,) = fake.requests
    assert request.url == f"{INSTANCE}/frames/1,2"
    assert dict(request.headers) == {
        "Accept": 'multipart/related; type="application/octet-stream"; transfer-syntax=*',
        "Authorization": BASIC,
    }
    assert [frame.number for frame in frames] == [1, 2]
    assert [frame.data[-1:] for frame in frames] == [b"1", b"2"]
    assert {frame.transfer_syntax_uid for frame in frames} == {media.JPEG_BASELINE_8BIT}


def test_500_to_any_syntax_falls_back_at_once(caplog):
    fake = FakeTransport(
        [status_response(500), frames_answer(("application/octet-stream", b"PIX"))]
    )
    sleeps = Sleeps()

    with caplog.at_level(logging.WARNING):
        frames = run(
            make_client(fake, sleeps).retrieve_frames("1.2", "1.2.3", "1.2.3.4", [1])
        )

    assert [request.header("Accept") for request in fake.requests] == [
        media.FRAMES_ACCEPT_STORED,
        'multipart/related; type="application/octet-stream"',
    ]
    assert fake.urls == [f"{INSTANCE}/frames/1"] * 2
    assert sleeps.delays == []
    assert frames[0].data == b"PIX"
    assert frames[0].transfer_syntax_uid == media.EXPLICIT_VR_LITTLE_ENDIAN
    assert "answered 500 to transfer-syntax=*" in caplog.text


def test_406_to_any_syntax_falls_back():
    fake = FakeTransport(
        [status_response(406), frames_answer(("application/octet-stream", b"P"))]
    )

    run(make_client(fake).retrieve_frames("1.2", "1.2.3", "1.2.3.4", [1]))

    assert len(fake.requests) == 2


def test_503_to_any_syntax_is_retried_not_fallen_back():
    answer = frames_answer(jpeg_part())
    fake = FakeTransport([status_response(503), answer])
    sleeps = Sleeps()

    run(make_client(fake, sleeps).retrieve_frames("1.2", "1.2.3", "1.2.3.4", [1]))

    assert [request.header("Accept") for request in fake.requests] == [
        media.FRAMES_ACCEPT_STORED,
        media.FRAMES_ACCEPT_STORED,
    ]
    assert sleeps.delays == [0.25]


def test_undecodable_stored_syntax_is_fetched_again_transcoded():
    j2k = frames_answer(
        (f"image/jp2; transfer-syntax={media.JPEG_2000}", b"J2K"),
        root=f'type="image/jp2; transfer-syntax={media.JPEG_2000}"',
    )
    native = frames_answer(("application/octet-stream", b"NATIVE"))
    fake = FakeTransport([j2k, native, native])
    client = make_client(fake)

    frames = run(client.retrieve_frames("1.2", "1.2.3", "1.2.3.4", [1]))
    # The series is now known to need transcoding: the next frame asks for it at once.
    run(client.retrieve_frames("1.2", "1.2.3", "1.2.3.5", [1]))

    assert frames[0].data == b"NATIVE"
    assert [request.header("Accept") for request in fake.requests] == [
        media.FRAMES_ACCEPT_STORED,
        media.FRAMES_ACCEPT_DEFAULT,
        media.FRAMES_ACCEPT_DEFAULT,
    ]


def test_caller_decodable_set_decides():
    j2k = frames_answer((f"image/jp2; transfer-syntax={media.JPEG_2000}", b"J2K"))
    fake = FakeTransport([j2k])
    decodable = media.DEFAULT_DECODABLE | {media.JPEG_2000}

    frames = run(
        make_client(fake).retrieve_frames(
            "1.2", "1.2.3", "1.2.3.4", [1], decodable=decodable
        )
    )

    assert frames[0].transfer_syntax_uid == media.JPEG_2000
    assert len(fake.requests) == 1


def test_known_undecodable_stored_syntax_skips_the_first_request():
    fake = FakeTransport([frames_answer(("application/octet-stream", b"N"))])

    run(
        make_client(fake).retrieve_frames(
            "1.2",
            "1.2.3",
            "1.2.3.4",
            [1],
            stored_transfer_syntax=media.JPEG_LS_LOSSLESS,
        )
    )

    assert [request.header("Accept") for request in fake.requests] == [
        media.FRAMES_ACCEPT_DEFAULT
    ]


def test_still_undecodable_after_fallback_raises():
    j2k = frames_answer((f"image/jp2; transfer-syntax={media.JPEG_2000}", b"J2K"))
    fake = FakeTransport([j2k, j2k])

    with pytest.raises(UnsupportedTransferSyntax) as caught:
        run(make_client(fake).retrieve_frames("1.2", "1.2.3", "1.2.3.4", [1]))

    assert caught.value.transfer_syntax_uid == media.JPEG_2000
    assert caught.value.url == f"{INSTANCE}/frames/1"


def test_unknown_part_type_after_fallback_raises():
    gif = frames_answer(("image/gif", b"GIF"), root='type="image/gif"')
    fake = FakeTransport([gif, gif])

    with pytest.raises(UnsupportedTransferSyntax, match=r"unknown \(image/gif\)"):
        run(make_client(fake).retrieve_frames("1.2", "1.2.3", "1.2.3.4", [1]))


def test_wrong_number_of_parts_is_malformed():
    fake = FakeTransport([frames_answer(jpeg_part())])

    with pytest.raises(MalformedResponse, match="asked for 2 frames") as caught:
        run(make_client(fake).retrieve_frames("1.2", "1.2.3", "1.2.3.4", [1, 2]))

    assert caught.value.url == f"{INSTANCE}/frames/1,2"


def test_truncated_frames_body_is_malformed():
    answer = frames_answer(jpeg_part())
    cut = Response(answer.status, answer.headers, answer.body[:-12])
    fake = FakeTransport([cut])

    with pytest.raises(MalformedResponse, match="closing boundary"):
        run(make_client(fake).retrieve_frames("1.2", "1.2.3", "1.2.3.4", [1]))


def test_bare_single_frame_is_tolerated():
    bare = Response(200, {"Content-Type": "application/octet-stream"}, b"RAW")
    fake = FakeTransport([bare])

    (frame,) = run(make_client(fake).retrieve_frames("1.2", "1.2.3", "1.2.3.4", [3]))

    assert (frame.number, frame.data) == (3, b"RAW")
    assert frame.transfer_syntax_uid == media.EXPLICIT_VR_LITTLE_ENDIAN


def test_error_page_instead_of_frames_is_malformed():
    page = Response(200, {"Content-Type": "text/html"}, b"<html>")
    fake = FakeTransport([page])

    with pytest.raises(MalformedResponse, match="expected multipart/related"):
        run(make_client(fake).retrieve_frames("1.2", "1.2.3", "1.2.3.4", [1]))


# Rendered images


def test_rendered_with_options():
    fake = FakeTransport([Response(200, {"Content-Type": "image/jpeg"}, JPEG)])
    options = RenderOptions(window=Window(40, 400), viewport=(64, 64), quality=70)

    image = run(
        make_client(fake).retrieve_rendered(
            "1.2", "1.2.3", "1.2.3.4", frame_number=1, options=options
        )
    )

    (request,) = fake.requests
    assert request.url == (
        f"{INSTANCE}/frames/1/rendered?window=40,400,linear&viewport=64,64&quality=70"
    )
    assert dict(request.headers) == {"Accept": "image/jpeg", "Authorization": BASIC}
    assert image.media_type == media.IMAGE_JPEG
    assert image.data == JPEG


def test_rendered_png():
    fake = FakeTransport([Response(200, {"Content-Type": "image/png"}, PNG)])

    image = run(
        make_client(fake).retrieve_rendered(
            "1.2", "1.2.3", "1.2.3.4", options=RenderOptions(media_type=media.IMAGE_PNG)
        )
    )

    assert fake.requests[0].header("Accept") == "image/png"
    assert image.media_type == media.IMAGE_PNG


def test_rendered_that_is_not_an_image_is_malformed():
    fake = FakeTransport([Response(200, {"Content-Type": "image/jpeg"}, b"{}")])

    with pytest.raises(MalformedResponse, match="not a JPEG or PNG"):
        run(make_client(fake).retrieve_rendered("1.2", "1.2.3", "1.2.3.4"))


# WADO-URI


def test_wado_uri_file():
    fake = FakeTransport([Response(200, {"Content-Type": "application/dicom"}, PART10)])

    data = run(make_client(fake).retrieve_instance_uri("1.2", "1.2.3", "1.2.3.4"))

    (request,) = fake.requests
    assert request.url == (
        f"{URI}?requestType=WADO&studyUID=1.2&seriesUID=1.2.3&objectUID=1.2.3.4"
        "&contentType=application/dicom"
    )
    assert dict(request.headers) == {
        "Accept": "application/dicom",
        "Authorization": BASIC,
    }
    assert data == PART10


def test_wado_uri_html_is_malformed():
    fake = FakeTransport([Response(200, {"Content-Type": "text/html"}, b"<html/>")])

    with pytest.raises(MalformedResponse, match="not a DICOM file"):
        run(make_client(fake).retrieve_instance_uri("1.2", "1.2.3", "1.2.3.4"))


def test_wado_uri_jpeg_labelled_png_is_sniffed(caplog):
    # Orthanc 1.10 labels its WADO-URI JPEG as image/png.
    answers = [Response(200, {"Content-Type": "image/png"}, JPEG)] * 2
    fake = FakeTransport(answers)
    client = make_client(fake)

    with caplog.at_level(logging.WARNING):
        image = run(client.retrieve_rendered_uri("1.2", "1.2.3", "1.2.3.4"))
        run(client.retrieve_rendered_uri("1.2", "1.2.3", "1.2.3.4"))

    assert image.media_type == media.IMAGE_JPEG
    assert fake.urls[0] == (
        f"{URI}?requestType=WADO&studyUID=1.2&seriesUID=1.2.3&objectUID=1.2.3.4"
        "&contentType=image/jpeg"
    )
    assert caplog.text.count("labelled image/jpeg as image/png") == 1


def test_wado_uri_needs_a_root():
    client = make_client(FakeTransport(), wado_uri="")

    with pytest.raises(EndpointError, match="no WADO-URI root"):
        run(client.retrieve_instance_uri("1.2", "1.2.3", "1.2.3.4"))


# Credentials


def every_request_kind(client: DicomwebClient):
    yield client.search_studies()
    yield client.search_series("1.2")
    yield client.search_instances("1.2", "1.2.3")
    yield client.retrieve_study_metadata("1.2")
    yield client.retrieve_series_metadata("1.2", "1.2.3")
    yield client.retrieve_frames("1.2", "1.2.3", "1.2.3.4", [1])
    yield client.retrieve_rendered("1.2", "1.2.3", "1.2.3.4")
    yield client.retrieve_instance_uri("1.2", "1.2.3", "1.2.3.4")
    yield client.retrieve_rendered_uri("1.2", "1.2.3", "1.2.3.4")
    yield client.retrieve_bulk_data(f"{RS}/bulk/1")


async def answer_anything(request: Request) -> Response:
    accept = request.header("Accept") or ""
    if accept == media.DICOM_JSON:
        return json_response([])
    if accept.startswith(media.MULTIPART_RELATED):
        return frames_answer(("application/octet-stream", b"P"))
    if accept == media.DICOM:
        return Response(200, {}, PART10)
    return Response(200, {"Content-Type": accept}, JPEG)


@pytest.mark.parametrize(
    ("credentials", "header"),
    [
        (BasicAuth("user", "secret"), BASIC),
        (BearerToken("tok.en"), "Bearer tok.en"),
    ],
)
def test_every_request_kind_carries_the_credentials(credentials, header):
    fake = FakeTransport()
    client = make_client(fake, credentials=credentials)

    for coroutine in every_request_kind(client):
        fake.add(answer_anything)
        run(coroutine)

    assert len(fake.requests) == 10
    assert {request.header("Authorization") for request in fake.requests} == {header}


def test_no_credentials_configured_means_no_header():
    fake = FakeTransport([json_response([])])

    run(make_client(fake, credentials=None).search_studies())

    assert fake.requests[0].header("Authorization") is None


def test_urls_on_another_origin_get_no_credentials():
    fake = FakeTransport([answer_anything, answer_anything])
    client = make_client(fake)

    run(client.retrieve_bulk_data("https://elsewhere.example/bulk/1"))
    run(client.retrieve_bulk_data("bulk/2"))

    other, own = fake.requests
    assert other.url == "https://elsewhere.example/bulk/1"
    assert other.header("Authorization") is None
    assert own.url == f"{RS}/bulk/2"
    assert own.header("Authorization") == BASIC


def test_nothing_secret_or_personal_is_logged(caplog):
    fake = FakeTransport([status_response(503), json_response([STUDY_JSON])])
    client = make_client(fake, credentials=BasicAuth("alice", "s3cret"))

    with caplog.at_level(logging.DEBUG, logger="app.dicomweb"):
        run(
            client.search_studies(
                StudyQuery(patient_name="Doe", patient_id="PID-12345")
            )
        )

    assert caplog.records
    for text in ("alice", "s3cret", "YWxpY2U6czNjcmV0", "Doe", "12345"):
        assert text not in caplog.text
    assert "s3cret" not in repr(fake.requests[0])
    assert "YWxpY2U6czNjcmV0" not in repr(fake.requests[0])


def test_fake_transport_without_answers_fails_loudly():
    with pytest.raises(AssertionError, match="no answer"):
        run(make_client(FakeTransport()).search_studies())


def test_retrieve_series_files_asks_for_part10_files_in_one_request() -> None:
    other = b"\x00" * 128 + b"DICM" + b"\x02\x00\x01\x00"
    transport = FakeTransport(
        [
            multipart_response(
                [("application/dicom", PART10), ("application/dicom", other)],
                type_param='type="application/dicom"',
            )
        ]
    )
    files = asyncio.run(make_client(transport).retrieve_series_files("1.2", "1.2.3"))
    assert files == (PART10, other)
    assert transport.urls == [f"{RS}/studies/1.2/series/1.2.3"]
    assert transport.requests[0].header("Accept") == (
        'multipart/related; type="application/dicom"; transfer-syntax=*'
    )
    assert transport.requests[0].header("Authorization") == BASIC
