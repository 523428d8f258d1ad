"""Frame bytes -> pixels, checked against pydicom's ``pixel_array`` bit for bit."""

from dataclasses import replace
from io import BytesIO

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import get_frame
from pydicom.pixels import convert_color_space
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from app.dicomweb import errors as dicomweb_errors
from app.dicomweb import media
from app.imaging import (
    CorruptFile,
    CorruptFrame,
    MissingAttribute,
    PixelDescription,
    UnsupportedImage,
    UnsupportedTransferSyntax,
    decodable_transfer_syntaxes,
    decode,
    decode_frame,
    decode_native,
    read_part10,
)


def _has_pillow() -> bool:
    try:
        import PIL  # noqa: F401
    except ImportError:
        return False
    return True


HAS_PILLOW = _has_pillow()

# pydicom's own test files, each with what it exercises. emri_small.dcm lives in the
# separately downloaded pydicom-data, so multi-frame is covered by the files below.
FILES = [
    "CT_small.dcm",  # signed 16-bit, rescale
    "MR_small.dcm",  # signed 16-bit, windows
    "MR_small_implicit.dcm",  # Implicit VR Little Endian
    "MR_small_bigendian.dcm",  # Explicit VR Big Endian, 16-bit
    "MR_small_RLE.dcm",  # RLE Lossless
    "ExplVR_BigEnd.dcm",  # big endian, 8-bit RGB in OB
    "SC_rgb_small_odd.dcm",  # 3x3 RGB: odd length, pad byte
    "SC_rgb_small_odd_big_endian.dcm",  # 8-bit in big-endian OW words
    "SC_rgb_jpeg_dcmd.dcm",  # RGB, Implicit VR
    "SC_rgb_rle.dcm",
    "SC_rgb_rle_2frame.dcm",  # multi-frame RLE colour
    "SC_rgb_rle_16bit_2frame.dcm",
    "SC_rgb_rle_32bit.dcm",
    "SC_ybr_full_422_uncompressed.dcm",  # native YBR_FULL_422 -> RGB
    "examples_rgb_color.dcm",
    "examples_overlay.dcm",  # 12 of 16 bits, overlay bits above
    "examples_palette.dcm",  # palette indices
    "image_dfl.dcm",  # deflated
    "rtdose.dcm",  # 15 frames of uint32
    "rtdose_expb.dcm",  # the same, big endian
    "rtdose_rle.dcm",
    "dicomdirtests/77654033/CR1/6154",  # MONOCHROME1, 12 of 16 bits
]


def _testdata(name: str) -> str:
    path = get_testdata_file(name, download=False)
    if path is None:
        pytest.skip(f"pydicom's test file {name} is not installed")
    return str(path)


def _read(name: str) -> tuple[bytes, Dataset]:
    path = _testdata(name)
    with open(path, "rb") as file:
        data = file.read()
    return data, pydicom.dcmread(path)


def _reference_frames(dataset: Dataset) -> list[np.ndarray]:
    reference = dataset.pixel_array
    frames = int(dataset.get("NumberOfFrames", 1))
    return [reference] if frames == 1 else list(reference)


def _native_dataset(pixels: np.ndarray, **attributes: object) -> Dataset:
    """A dataset whose Pixel Data is ``pixels``' bytes, as pydicom will read it."""
    dataset = Dataset()
    dataset.file_meta = FileMetaDataset()
    dataset.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset.Rows, dataset.Columns = pixels.shape[:2]
    dataset.SamplesPerPixel = 1
    dataset.PhotometricInterpretation = "MONOCHROME2"
    dataset.BitsAllocated = pixels.dtype.itemsize * 8
    dataset.BitsStored = pixels.dtype.itemsize * 8
    dataset.HighBit = dataset.BitsStored - 1
    dataset.PixelRepresentation = 0
    for keyword, value in attributes.items():
        setattr(dataset, keyword, value)
    dataset.PixelData = pixels.tobytes()
    return dataset


@pytest.mark.filterwarnings("ignore:Invalid value for VR UI")  # rtdose's UIDs
@pytest.mark.parametrize("name", FILES)
def test_part10_frames_equal_pydicom_pixel_array(name: str) -> None:
    data, dataset = _read(name)

    image = read_part10(data)
    frames = [image.frame(n) for n in range(1, image.number_of_frames + 1)]

    reference = _reference_frames(dataset)
    assert len(frames) == len(reference)
    for frame, expected in zip(frames, reference, strict=True):
        assert frame.shape == expected.shape
        assert frame.dtype == expected.dtype.newbyteorder("=")
        np.testing.assert_array_equal(frame, expected)


def test_wado_rs_frames_decode_like_the_file() -> None:
    _, dataset = _read("SC_rgb_rle_2frame.dcm")
    description = PixelDescription.from_dataset(dataset)

    frame = get_frame(dataset.PixelData, 1, number_of_frames=2)
    pixels = decode_frame(frame, description, media.RLE_LOSSLESS)

    np.testing.assert_array_equal(pixels, dataset.pixel_array[1])


def test_native_frame_as_wado_rs_sends_it() -> None:
    _, dataset = _read("CT_small.dcm")
    description = PixelDescription.from_json(dataset.to_json_dict(1024, lambda e: ""))

    pixels = decode_frame(
        dataset.PixelData, description, media.EXPLICIT_VR_LITTLE_ENDIAN
    )

    assert pixels.dtype == np.int16
    np.testing.assert_array_equal(pixels, dataset.pixel_array)


@pytest.mark.parametrize(
    ("dtype", "representation", "stored", "raw", "expected"),
    [
        # 12 of 16 bits, signed: the sign bit (bit 11) fills the bits above.
        (
            "<u2",
            1,
            12,
            [0x0FFF, 0x0800, 0x07FF, 0xF001, 0xA123],
            [-1, -2048, 2047, 1, 291],
        ),
        # 12 of 16 bits, unsigned: the bits above are cleared.
        (
            "<u2",
            0,
            12,
            [0x0FFF, 0xF800, 0x07FF, 0xF001, 0xA123],
            [4095, 2048, 2047, 1, 291],
        ),
        # 6 of 8 bits, signed.
        ("u1", 1, 6, [0x3F, 0x20, 0x1F, 0xC1, 0x00], [-1, -32, 31, 1, 0]),
        # 24 of 32 bits, signed.
        ("<u4", 1, 24, [0xFFFFFF, 0x800000, 0x12000001, 0, 5], [-1, -(2**23), 1, 0, 5]),
    ],
)
def test_bits_above_bits_stored_are_fitted_like_pydicom(
    dtype: str, representation: int, stored: int, raw: list[int], expected: list[int]
) -> None:
    pixels = np.array([raw], dtype=dtype)
    dataset = _native_dataset(
        pixels,
        BitsStored=stored,
        HighBit=stored - 1,
        PixelRepresentation=representation,
    )
    description = PixelDescription.from_dataset(dataset)

    decoded = decode_native(pixels.tobytes(), description)

    assert decoded.tolist() == [expected]
    assert decoded.dtype == dataset.pixel_array.dtype
    np.testing.assert_array_equal(decoded, dataset.pixel_array)


def test_every_12_bit_signed_value_matches_pydicom() -> None:
    stored = np.arange(4096, dtype="<u2").reshape(64, 64)
    noisy = stored | (np.uint16(0xA000) & ~np.uint16(0x0FFF))
    dataset = _native_dataset(noisy, BitsStored=12, HighBit=11, PixelRepresentation=1)

    decoded = decode_native(noisy.tobytes(), PixelDescription.from_dataset(dataset))

    np.testing.assert_array_equal(decoded, dataset.pixel_array)
    assert decoded.min() == -2048
    assert decoded.max() == 2047


def test_planar_configuration_1_becomes_interleaved() -> None:
    rgb = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    planes = np.ascontiguousarray(rgb.transpose(2, 0, 1))
    dataset = _native_dataset(
        planes.reshape(2, 9),
        Rows=2,
        Columns=3,
        SamplesPerPixel=3,
        PhotometricInterpretation="RGB",
        PlanarConfiguration=1,
    )

    decoded = decode_native(planes.tobytes(), PixelDescription.from_dataset(dataset))

    assert decoded.shape == (2, 3, 3)
    np.testing.assert_array_equal(decoded, rgb)
    np.testing.assert_array_equal(decoded, dataset.pixel_array)


def test_native_ybr_full_becomes_rgb_like_pydicom() -> None:
    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, size=(4, 6, 3), dtype=np.uint8)
    ybr = convert_color_space(rgb, "RGB", "YBR_FULL")
    dataset = _native_dataset(
        ybr.reshape(4, 18),
        Rows=4,
        Columns=6,
        SamplesPerPixel=3,
        PhotometricInterpretation="YBR_FULL",
        PlanarConfiguration=0,
    )

    decoded = decode_native(ybr.tobytes(), PixelDescription.from_dataset(dataset))

    np.testing.assert_array_equal(decoded, dataset.pixel_array)


def test_native_frame_shares_memory_when_nothing_changes() -> None:
    pixels = np.arange(12, dtype="<i2").reshape(3, 4)
    description = PixelDescription.from_dataset(
        _native_dataset(pixels, PixelRepresentation=1)
    )

    decoded = decode_native(pixels.tobytes(), description)

    assert not decoded.flags.writeable
    np.testing.assert_array_equal(decoded, pixels)


CT_DESCRIPTION = PixelDescription(
    rows=64,
    columns=64,
    samples_per_pixel=1,
    photometric_interpretation="MONOCHROME2",
    bits_allocated=16,
    bits_stored=16,
    high_bit=15,
    pixel_representation=1,
)


def test_short_native_frame_is_corrupt() -> None:
    with pytest.raises(CorruptFrame) as caught:
        decode_native(b"\0" * 100, CT_DESCRIPTION)

    assert str(caught.value) == (
        "A native frame of 64x64 pixels, 1 sample(s) of 16 bits, needs 8192 bytes; "
        "expected 8192 bytes, got 100"
    )
    assert "damaged" in caught.value.user_message()


def test_long_native_frame_is_corrupt() -> None:
    with pytest.raises(CorruptFrame, match="expected 8192 bytes, got 16384"):
        decode_native(b"\0" * 16384, CT_DESCRIPTION)


def test_odd_frame_may_carry_one_pad_byte() -> None:
    description = replace(
        CT_DESCRIPTION, rows=3, columns=3, bits_allocated=8, bits_stored=8, high_bit=7
    )

    decoded = decode_native(bytes(range(9)) + b"\0", description)

    assert decoded.tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    with pytest.raises(CorruptFrame, match="expected 9 bytes, got 11"):
        decode_native(bytes(11), description)


def test_truncated_file_frame_is_corrupt() -> None:
    data, _ = _read("MR_truncated.dcm")

    with pytest.raises(CorruptFrame) as caught:
        read_part10(data).frame(1)

    assert str(caught.value) == (
        "Frame 1 of 1 is cut short: expected 8192 bytes, got 8130 (the Pixel Data "
        "holds 8130 bytes)"
    )


def test_damaged_rle_frame_is_corrupt() -> None:
    _, dataset = _read("MR_small_RLE.dcm")
    description = PixelDescription.from_dataset(dataset)
    frame = get_frame(dataset.PixelData, 0, number_of_frames=1)

    with pytest.raises(
        CorruptFrame, match=r"^A RLE Lossless frame could not be decoded"
    ):
        decode_frame(frame[: len(frame) // 2], description, media.RLE_LOSSLESS)

    with pytest.raises(CorruptFrame, match="expected some bytes, got 0"):
        decode_frame(b"", description, media.RLE_LOSSLESS)


def test_bytes_that_are_not_dicom_are_a_corrupt_file() -> None:
    with pytest.raises(CorruptFile, match="not a DICOM Part 10 file"):
        read_part10(b"<html>Not found</html>")


def test_file_without_pixels_lacks_pixel_data() -> None:
    dataset = Dataset()
    dataset.SOPClassUID = "1.2.840.10008.5.1.4.1.1.88.11"
    dataset.SOPInstanceUID = generate_uid()
    dataset.file_meta = FileMetaDataset()
    dataset.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    buffer = BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)

    with pytest.raises(
        MissingAttribute, match=r"The file lacks PixelData \(7FE0,0010\)"
    ):
        read_part10(buffer.getvalue())


def test_frame_numbers_start_at_one() -> None:
    data, _ = _read("SC_rgb_rle_2frame.dcm")
    image = read_part10(data)

    assert image.number_of_frames == 2
    with pytest.raises(IndexError, match="Frame 3 does not exist: the file has 2"):
        image.frame(3)
    with pytest.raises(IndexError, match="numbered 1 to 2"):
        image.frame(0)


def test_one_bit_pixels_are_not_supported() -> None:
    data, _ = _read("liver_1frame.dcm")

    with pytest.raises(UnsupportedImage) as caught:
        read_part10(data).frame(1)

    assert str(caught.value) == (
        "BitsAllocated (0028,0100) 1 (bit-packed pixels, as in segmentations) is not "
        "supported"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bits_allocated": 12, "bits_stored": 12, "high_bit": 11}, "BitsAllocated"),
        ({"samples_per_pixel": 4}, "SamplesPerPixel (0028,0002) 4 is not supported"),
        ({"photometric_interpretation": "RGB"}, "'RGB' with 1 sample(s)"),
        (
            {"samples_per_pixel": 3, "photometric_interpretation": "YBR_ICT"},
            "'YBR_ICT' with 3 sample(s) per pixel is not supported",
        ),
        (
            {"samples_per_pixel": 3, "photometric_interpretation": "YBR_FULL"},
            "YBR_FULL with BitsAllocated (0028,0100) 16 is not supported",
        ),
    ],
)
def test_unsupported_native_formats(changes: dict[str, object], message: str) -> None:
    description = replace(CT_DESCRIPTION, **changes)  # type: ignore[arg-type]

    with pytest.raises(UnsupportedImage, match="not supported") as caught:
        decode_native(b"", description)

    assert message in str(caught.value)


def test_frames_in_big_endian_are_not_supported() -> None:
    with pytest.raises(UnsupportedTransferSyntax, match="ask the server"):
        decode_frame(b"\0" * 8192, CT_DESCRIPTION, media.EXPLICIT_VR_BIG_ENDIAN)


def test_unknown_transfer_syntax_is_not_supported() -> None:
    with pytest.raises(UnsupportedTransferSyntax) as caught:
        decode_frame(b"\0", CT_DESCRIPTION, "1.2.3.4")

    assert str(caught.value) == (
        "Transfer syntax 1.2.3.4 ('1.2.3.4') is not supported: pydicom has no "
        "decoder for it"
    )
    # One error for the view to handle, whichever layer found the syntax.
    assert isinstance(caught.value, dicomweb_errors.UnsupportedTransferSyntax)


def test_frame_without_transfer_syntax_is_not_supported() -> None:
    with pytest.raises(
        UnsupportedTransferSyntax, match="came without a transfer syntax"
    ):
        decode_frame(b"\0", CT_DESCRIPTION, "")


def test_decodable_syntaxes_follow_the_installed_decoders() -> None:
    decodable = decodable_transfer_syntaxes()

    assert {
        media.EXPLICIT_VR_LITTLE_ENDIAN,
        media.IMPLICIT_VR_LITTLE_ENDIAN,
        media.RLE_LOSSLESS,
    } <= decodable
    assert (media.JPEG_BASELINE_8BIT in decodable) == HAS_PILLOW
    assert media.EXPLICIT_VR_BIG_ENDIAN not in decodable


JPEG_FILES = [
    "SC_rgb_jpeg.dcm",  # RGB in the JPEG stream
    "SC_rgb_jpeg_dcmtk.dcm",  # YBR_FULL
    "SC_rgb_dcmtk_+eb+cy+np.dcm",  # YBR_FULL_422
    "SC_rgb_small_odd_jpeg.dcm",
    "examples_ybr_color.dcm",  # 30 frames
]


@pytest.mark.skipif(not HAS_PILLOW, reason="Pillow is not installed: no JPEG decoder")
@pytest.mark.filterwarnings("ignore:Expected explicit VR")  # SC_rgb_jpeg.dcm's header
@pytest.mark.parametrize("name", JPEG_FILES)
def test_jpeg_baseline_frames_equal_pydicom(name: str) -> None:
    data, dataset = _read(name)

    image = read_part10(data)

    for number, expected in enumerate(_reference_frames(dataset), start=1):
        np.testing.assert_array_equal(image.frame(number), expected)


@pytest.mark.skipif(not HAS_PILLOW, reason="Pillow is not installed: no JPEG decoder")
def test_12_bit_jpeg_is_not_supported_by_pillow() -> None:
    data, _ = _read("JPGExtended.dcm")

    with pytest.raises(UnsupportedTransferSyntax, match="cannot decode 12 bits"):
        read_part10(data).frame(1)


class _DecoderWithoutPlugins:
    """What pydicom's JPEG decoder looks like where Pillow is not installed."""

    is_encapsulated = True
    is_available = False
    missing_dependencies = ("gdcm - requires gdcm>=3.0.10", "pillow - requires pillow")
    available_plugins = ()


@pytest.mark.filterwarnings("ignore:Expected explicit VR")
def test_jpeg_baseline_without_pillow_is_not_supported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The test tools pin Pillow, so a runtime without it (Pyodide without the
    # wheel) is imitated by the decoder pydicom would return there.
    monkeypatch.setattr(decode, "_decoder", lambda _uid: _DecoderWithoutPlugins())
    data, _ = _read("SC_rgb_jpeg.dcm")

    with pytest.raises(UnsupportedTransferSyntax) as caught:
        read_part10(data).frame(1)

    message = str(caught.value)
    assert message.startswith(
        "Transfer syntax JPEG Baseline (8-bit) ('1.2.840.10008.1.2.4.50') is not "
        "supported: no decoder for it is installed ("
    )
    assert "pillow" in message
    assert caught.value.transfer_syntax_uid == media.JPEG_BASELINE_8BIT
