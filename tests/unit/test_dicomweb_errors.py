"""Error messages: what they say to the user, and what they never contain."""

import pytest

from app.dicomweb import media
from app.dicomweb.errors import (
    DicomwebError,
    HttpStatusError,
    MalformedResponse,
    NetworkError,
    RequestTimeout,
    UnsupportedTransferSyntax,
)

QIDO = "https://pacs.example/dicom-web/studies?PatientName=Doe^J*&PatientID=12345"


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failures_point_at_the_credentials(status):
    error = HttpStatusError(status, QIDO)

    assert error.status == status
    assert error.url == QIDO
    assert error.user_message() == (
        f"The server at https://pacs.example refused access (HTTP {status}). Check "
        "the user name and password, or the token, in the server settings."
    )


def test_not_found_names_the_path_and_the_postfixes():
    error = HttpStatusError(404, "https://pacs.example:8443/wrong/studies?limit=1")

    assert error.user_message() == (
        "The server at https://pacs.example:8443 has nothing at /wrong/studies "
        "(HTTP 404). Check the QIDO-RS, WADO-RS and WADO-URI postfixes in the server "
        "settings; if other requests work, the item may have been deleted."
    )


def test_server_failure_says_try_later():
    message = HttpStatusError(503, QIDO).user_message()

    assert "failed while answering /dicom-web/studies (HTTP 503)" in message
    assert "Try again later" in message


def test_other_client_errors():
    message = HttpStatusError(400, QIDO).user_message()

    assert "rejected the request for /dicom-web/studies (HTTP 400)" in message


def test_network_error_lists_the_three_causes():
    message = NetworkError("https://pacs.example/dicom-web/studies?x=1").user_message()

    assert message == (
        "The browser could not read an answer from https://pacs.example. The server "
        "may be down, may not allow requests from this page (CORS), or may use a "
        "certificate the browser does not trust: open "
        "https://pacs.example/dicom-web/studies in a new tab to check."
    )


def test_timeout_message():
    error = RequestTimeout(QIDO, 30.0)

    assert error.user_message() == (
        "The server at https://pacs.example did not answer within 30 seconds. It may "
        "be busy or unreachable; try again later."
    )


def test_unsupported_transfer_syntax_names_it():
    error = UnsupportedTransferSyntax(media.JPEG_2000)

    assert str(error) == (
        "Transfer syntax JPEG 2000 ('1.2.840.10008.1.2.4.91') is not supported"
    )
    assert "stored as JPEG 2000" in error.user_message()


def test_malformed_without_url():
    error = MalformedResponse("the body ends before the closing boundary")

    assert str(error) == "Malformed answer: the body ends before the closing boundary"
    assert "the server could not be read" in error.user_message()


@pytest.mark.parametrize(
    "error",
    [
        HttpStatusError(500, QIDO),
        NetworkError(QIDO, "TypeError: Failed to fetch"),
        RequestTimeout(QIDO, 5),
        MalformedResponse("bad", QIDO),
        UnsupportedTransferSyntax(media.JPEG_2000, QIDO),
    ],
)
def test_no_patient_data_in_any_message(error):
    assert isinstance(error, DicomwebError)
    for text in (str(error), error.user_message()):
        assert "Doe" not in text
        assert "12345" not in text


def test_userinfo_never_shown():
    error = HttpStatusError(401, "https://alice:s3cret@pacs.example/rs/studies")

    assert "s3cret" not in str(error)
    assert "s3cret" not in error.user_message()
    assert "alice" not in error.user_message()
