"""Media type parsing and image sniffing."""

import pytest

from app.dicomweb import media
from app.dicomweb.media import (
    looks_like_part10,
    parse_media_type,
    sniff_image_type,
    transfer_syntax_name,
)


def test_parse_quoted_type_with_semicolon_inside():
    value = (
        'multipart/related; type="image/jls; transfer-syntax=1.2.840.10008.1.2.4.80"'
        "; boundary=abc-123"
    )

    parsed = parse_media_type(value)

    assert parsed.essence == "multipart/related"
    assert parsed.param("boundary") == "abc-123"
    assert parsed.param("TYPE") == "image/jls; transfer-syntax=1.2.840.10008.1.2.4.80"
    inner = parse_media_type(parsed.param("type") or "")
    assert inner.essence == media.IMAGE_JLS
    assert inner.transfer_syntax == media.JPEG_LS_LOSSLESS


def test_parse_escapes_and_case():
    parsed = parse_media_type('Multipart/Related; Boundary="a\\"b;c"')

    assert parsed.essence == "multipart/related"
    assert parsed.param("boundary") == 'a"b;c'


def test_parse_ignores_parameters_without_value():
    parsed = parse_media_type("image/jpeg; foo; q=1")

    assert dict(parsed.params) == {"q": "1"}


@pytest.mark.parametrize("value", ["", "garbage", ";;"])
def test_parse_non_media_type_gives_empty_essence(value):
    assert parse_media_type(value).essence == ""


def test_sniff_jpeg_and_png():
    assert sniff_image_type(b"\xff\xd8\xff\xe0\x00\x10JFIF") == media.IMAGE_JPEG
    assert sniff_image_type(b"\x89PNG\r\n\x1a\n\x00\x00") == media.IMAGE_PNG
    assert sniff_image_type(b"<html>") is None
    assert sniff_image_type(b"") is None


def test_part10_detection():
    assert looks_like_part10(b"\x00" * 128 + b"DICM\x02\x00")
    assert not looks_like_part10(b"\x00" * 132)
    assert not looks_like_part10(b"DICM")


def test_accept_values_are_single_media_types():
    assert media.FRAMES_ACCEPT_STORED == (
        'multipart/related; type="application/octet-stream"; transfer-syntax=*'
    )
    assert media.FRAMES_ACCEPT_DEFAULT == (
        'multipart/related; type="application/octet-stream"'
    )


def test_default_syntax_per_media_type():
    defaults = media.DEFAULT_TRANSFER_SYNTAX

    assert defaults[media.OCTET_STREAM] == media.EXPLICIT_VR_LITTLE_ENDIAN
    assert defaults[media.IMAGE_JPEG] == media.JPEG_LOSSLESS_SV1
    assert defaults[media.IMAGE_JLS] == media.JPEG_LS_LOSSLESS
    assert defaults[media.IMAGE_JP2] == media.JPEG_2000_LOSSLESS
    assert defaults[media.IMAGE_DICOM_RLE] == media.RLE_LOSSLESS


def test_transfer_syntax_name():
    assert transfer_syntax_name(media.RLE_LOSSLESS) == "RLE Lossless"
    assert transfer_syntax_name("1.2.3") == "1.2.3"
