"""The connection test: one QIDO request, one plain outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from app.dicomweb.auth import BasicAuth
from app.dicomweb.endpoints import ServerEndpoints
from app.dicomweb.errors import NetworkError, RequestTimeout
from app.dicomweb.probe import Outcome, probe_server
from app.dicomweb.testing import FakeTransport, json_response, status_response

ENDPOINTS = ServerEndpoints(
    qido_rs="https://pacs.example.org/dicom-web",
    wado_rs="https://pacs.example.org/dicom-web",
    credentials=BasicAuth("alice", "s3cret"),
)
URL = (
    "https://pacs.example.org/dicom-web/studies?limit=1"
    "&includefield=00081030&fuzzymatching=true"
)
STUDY = {
    "0020000D": {"vr": "UI", "Value": ["1.2.3"]},
    "00081030": {"vr": "LO", "Value": ["CT HEAD"]},
}


def ticking_clock() -> Iterator[float]:
    yield 10.0
    yield 10.042


def run(transport: FakeTransport) -> object:
    clock = ticking_clock()
    return asyncio.run(probe_server(ENDPOINTS, transport, clock=lambda: next(clock)))


def test_success_reports_the_round_trip_and_what_the_server_did() -> None:
    transport = FakeTransport([json_response([STUDY])])
    result = run(transport)
    assert transport.urls == [URL]
    assert transport.requests[0].header("Authorization") == "Basic YWxpY2U6czNjcmV0"
    assert result.outcome is Outcome.SUCCESS
    assert result.message == "Connected in 42 ms; the server returned one study."
    assert (result.include_field, result.fuzzy_matching) == (True, True)


def test_a_warning_299_means_no_fuzzy_matching_and_absent_field_no_include() -> None:
    warning = "299 pacs: The fuzzymatching parameter is not supported."
    study = {"0020000D": {"vr": "UI", "Value": ["1.2.3"]}}
    result = run(FakeTransport([json_response([study], headers={"Warning": warning})]))
    assert (result.include_field, result.fuzzy_matching) == (False, False)


def test_an_empty_archive_cannot_tell_include_field() -> None:
    result = run(FakeTransport([status_response(204)]))
    assert result.outcome is Outcome.SUCCESS
    assert result.include_field is None
    assert "no studies" in result.message


@pytest.mark.parametrize(
    ("status", "outcome", "words"),
    [
        (401, Outcome.CREDENTIALS_REFUSED, "refused the credentials (HTTP 401)"),
        (403, Outcome.CREDENTIALS_REFUSED, "refused access (HTTP 403)"),
        (
            404,
            Outcome.NOT_FOUND,
            "Nothing was found at https://pacs.example.org/dicom-web/studies (HTTP 404)",
        ),
        (502, Outcome.SERVER_ERROR, "failed to answer (HTTP 502)"),
        (400, Outcome.REFUSED_QUERY, "refused the query (HTTP 400)"),
    ],
)
def test_statuses(status: int, outcome: Outcome, words: str) -> None:
    result = run(FakeTransport([status_response(status)]))
    assert result.outcome is outcome
    assert result.status == status
    assert words in result.message


def test_an_html_page_is_not_dicomweb() -> None:
    result = run(FakeTransport([status_response(200, b"<html>login</html>")]))
    assert result.outcome is Outcome.NOT_DICOMWEB


def test_no_answer_lists_the_checks() -> None:
    result = run(FakeTransport([NetworkError(URL, "TypeError")]))
    assert result.outcome is Outcome.NO_ANSWER
    assert "CORS" in result.message
    assert len(result.checks) == 3
    assert any("certificate" in check for check in result.checks)


def test_timeout() -> None:
    result = run(FakeTransport([RequestTimeout(URL, 15.0)]))
    assert result.outcome is Outcome.TIMEOUT
    assert "15 seconds" in result.message
