"""multipart/related parsing: boundaries, line ends, lengths and broken bodies."""

import pytest

from app.dicomweb import media
from app.dicomweb.errors import MalformedResponse
from app.dicomweb.multipart import parse_multipart_related
from app.dicomweb.records import frames_from_multipart

ORTHANC_TYPE = (
    'multipart/related; type="image/dicom-rle; transfer-syntax=1.2.840.10008.1.2.5"'
    "; boundary=5ccae06c-d088-4956"
)


def test_orthanc_style_unquoted_boundary_and_syntax_in_type():
    body = (
        b"--5ccae06c-d088-4956\r\n"
        b"Content-Location: http://pacs/frames/1\r\n"
        b"Content-Type: image/dicom-rle; transfer-syntax=1.2.840.10008.1.2.5\r\n"
        b"\r\n"
        b"\x01\x02\r\n\x03"
        b"\r\n--5ccae06c-d088-4956\r\n"
        b"Content-Location: http://pacs/frames/2\r\n"
        b"\r\n"
        b"\x04\x05"
        b"\r\n--5ccae06c-d088-4956--\r\n"
    )

    message = parse_multipart_related(ORTHANC_TYPE, body)

    assert [part.body for part in message.parts] == [b"\x01\x02\r\n\x03", b"\x04\x05"]
    assert message.parts[0].content_location == "http://pacs/frames/1"
    assert message.root_type is not None
    assert message.root_type.essence == media.IMAGE_DICOM_RLE
    syntaxes = [message.part_transfer_syntax(part) for part in message.parts]
    assert syntaxes == [media.RLE_LOSSLESS, media.RLE_LOSSLESS]
    assert message.part_media_type(message.parts[1]) == media.IMAGE_DICOM_RLE


def test_quoted_boundary_with_preamble_and_epilogue():
    content_type = (
        'multipart/related; boundary="with space:and=more"; type="image/jpeg"'
    )
    body = (
        b"This is a preamble.\r\n"
        b"--with space:and=more\r\n"
        b"Content-Type: image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50\r\n"
        b"\r\n"
        b"\xff\xd8\xff\xd9"
        b"\r\n--with space:and=more--\r\n"
        b"This is an epilogue with --with space:and=more in it.\r\n"
    )

    message = parse_multipart_related(content_type, body)

    assert len(message.parts) == 1
    assert message.parts[0].body == b"\xff\xd8\xff\xd9"
    assert message.part_transfer_syntax(message.parts[0]) == media.JPEG_BASELINE_8BIT


def test_transfer_syntax_only_in_part_headers():
    content_type = "multipart/related; boundary=b"
    body = (
        b"--b\r\nContent-Type: image/jls; transfer-syntax=1.2.840.10008.1.2.4.81\r\n\r\n"
        b"AAAA\r\n--b--"
    )

    message = parse_multipart_related(content_type, body)

    assert message.part_transfer_syntax(message.parts[0]) == media.JPEG_LS_NEAR_LOSSLESS


def test_transfer_syntax_from_media_type_default():
    content_type = "multipart/related; boundary=b"
    body = b"--b\r\nContent-Type: image/jp2\r\n\r\nJJ\r\n--b--"

    message = parse_multipart_related(content_type, body)

    assert message.part_transfer_syntax(message.parts[0]) == media.JPEG_2000_LOSSLESS


def test_transfer_syntax_as_top_level_parameter():
    content_type = (
        'multipart/related; type="application/octet-stream"; boundary=b; '
        "transfer-syntax=1.2.840.10008.1.2"
    )
    body = b"--b\r\nContent-Type: application/octet-stream\r\n\r\nPP\r\n--b--"

    message = parse_multipart_related(content_type, body)

    assert (
        message.part_transfer_syntax(message.parts[0])
        == media.IMPLICIT_VR_LITTLE_ENDIAN
    )


def test_unknown_media_type_has_no_syntax():
    body = b"--b\r\nContent-Type: image/gif\r\n\r\nGG\r\n--b--"

    message = parse_multipart_related("multipart/related; boundary=b", body)

    assert message.part_transfer_syntax(message.parts[0]) is None


def test_bare_lf_line_ends():
    body = (
        b"--b\nContent-Type: application/octet-stream\n\nfirst\n"
        b"--b\nContent-Type: application/octet-stream\n\nsecond\n--b--\n"
    )

    message = parse_multipart_related("multipart/related; boundary=b", body)

    assert [part.body for part in message.parts] == [b"first", b"second"]


def test_content_length_is_used_when_it_matches():
    # The content holds the delimiter text itself; only Content-Length can tell.
    data = b"x\r\n--b\r\ny"
    body = (
        b"--b\r\nContent-Type: application/octet-stream\r\n"
        + f"Content-Length: {len(data)}\r\n\r\n".encode()
        + data
        + b"\r\n--b--\r\n"
    )

    message = parse_multipart_related("multipart/related; boundary=b", body)

    assert message.parts[0].body == data
    assert message.parts[0].headers["content-length"] == str(len(data))


def test_wrong_content_length_falls_back_to_the_boundary(caplog):
    body = b"--b\r\nContent-Length: 2\r\n\r\nabcdef\r\n--b--"

    message = parse_multipart_related("multipart/related; boundary=b", body)

    assert message.parts[0].body == b"abcdef"
    assert "Content-Length does not end at a boundary" in caplog.text


def test_content_length_longer_than_the_body_is_truncation():
    body = b"--b\r\nContent-Length: 100\r\n\r\nabc"

    with pytest.raises(MalformedResponse, match="declares 100 bytes"):
        parse_multipart_related("multipart/related; boundary=b", body)


def test_boundary_prefix_inside_content_is_not_a_delimiter():
    body = b"--b\r\n\r\nbefore\r\n--bee is not it\r\n--b--"

    message = parse_multipart_related("multipart/related; boundary=b", body)

    assert message.parts[0].body == b"before\r\n--bee is not it"


def test_part_without_headers():
    body = b"--b\r\n\r\nraw\r\n--b--"

    message = parse_multipart_related("multipart/related; boundary=b", body)

    assert dict(message.parts[0].headers) == {}
    assert message.parts[0].body == b"raw"


def test_empty_part_content():
    body = b"--b\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--b--"

    message = parse_multipart_related("multipart/related; boundary=b", body)

    assert message.parts[0].body == b""


def test_folded_header_line():
    body = (
        b"--b\r\nContent-Type: image/jpeg;\r\n"
        b" transfer-syntax=1.2.840.10008.1.2.4.50\r\n\r\nJ\r\n--b--"
    )

    message = parse_multipart_related("multipart/related; boundary=b", body)

    assert message.part_transfer_syntax(message.parts[0]) == media.JPEG_BASELINE_8BIT


def test_transport_padding_after_delimiter():
    body = b"--b  \r\n\r\nraw\r\n--b--"

    message = parse_multipart_related("multipart/related; boundary=b", body)

    assert message.parts[0].body == b"raw"


def test_close_delimiter_right_away_gives_no_parts():
    message = parse_multipart_related("multipart/related; boundary=b", b"--b--\r\n")

    assert message.parts == ()


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"--b\r\nContent-Type: image/jpeg\r\n\r\nabc", "ends before the closing"),
        (
            b"--b\r\nContent-Type: image/jpeg\r\n\r\nabc\r\n--b\r\n",
            "inside the headers",
        ),
        (b"--b\r\nContent-Type: image/jpeg\r\n\r\nabc\r\n--b", "after a boundary"),
        (b"--b\r\nContent-Type: imag", "inside the headers"),
        (b"--b", "after a boundary"),
        (b"", "no multipart boundary"),
        (b"\x00\x01garbage\xff" * 50, "no multipart boundary"),
        (b"--b\r\nnot a header\r\n\r\nabc\r\n--b--", "not 'Name: value'"),
        (b"--bXYZ", "no multipart boundary"),
        (b"--b junk\r\n\r\n", "unexpected bytes"),
    ],
)
def test_broken_bodies_raise_malformed(body, match):
    with pytest.raises(MalformedResponse, match=match):
        parse_multipart_related("multipart/related; boundary=b", body)


@pytest.mark.parametrize(
    ("content_type", "match"),
    [
        ("application/dicom+json", "expected multipart/related"),
        ("", "expected multipart/related"),
        ("multipart/related; type=x", "no boundary"),
        ("multipart/related; boundary=ü", "not ASCII"),
    ],
)
def test_bad_content_type_raises_malformed(content_type, match):
    with pytest.raises(MalformedResponse, match=match):
        parse_multipart_related(content_type, b"--b\r\n\r\nx\r\n--b--")


def test_frames_pair_parts_with_numbers_in_order():
    body = (
        b"--b\r\nContent-Type: image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50\r\n"
        b"Content-Location: /f/5\r\n\r\nA\r\n"
        b"--b\r\nContent-Type: image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50\r\n"
        b"\r\nB\r\n--b--"
    )
    message = parse_multipart_related("multipart/related; boundary=b", body)

    frames = frames_from_multipart(message, [5, 9])

    assert [(frame.number, frame.data) for frame in frames] == [(5, b"A"), (9, b"B")]
    assert frames[0].content_location == "/f/5"
    assert frames[1].media_type == media.IMAGE_JPEG
    assert frames[1].transfer_syntax_uid == media.JPEG_BASELINE_8BIT


def test_frames_count_must_match():
    message = parse_multipart_related(
        "multipart/related; boundary=b", b"--b\r\n\r\nA\r\n--b--"
    )

    with pytest.raises(MalformedResponse, match="asked for 2 frames"):
        frames_from_multipart(message, [1, 2])


def test_large_body_parses_quickly():
    frame = bytes(range(256)) * 4096  # 1 MiB per frame
    chunks = [
        b"--b\r\nContent-Type: application/octet-stream\r\n\r\n" + frame + b"\r\n"
    ] * 20
    body = b"".join(chunks) + b"--b--\r\n"

    message = parse_multipart_related("multipart/related; boundary=b", body)

    assert len(message.parts) == 20
    assert all(part.body == frame for part in message.parts)


def test_endless_part_headers_are_refused_not_scanned() -> None:
    from app.dicomweb.multipart import MAX_PART_HEADER_BYTES

    body = b"--B\r\nContent-Type: application/octet-stream\r\n" + b"X" * (
        MAX_PART_HEADER_BYTES + 10
    )
    with pytest.raises(MalformedResponse, match="longer than 65536 bytes"):
        parse_multipart_related("multipart/related; boundary=B", body + b"\r\n--B--")
