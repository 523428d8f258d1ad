"""A whole DICOM Part 10 file (as WADO-URI sends it) -> description plus frames.

Frames are cut out of the file's Pixel Data and handed to the same
:func:`decode_frame` that decodes WADO-RS frames, so both paths share every rule.
Big endian and deflated files are turned into little-endian native frames here;
pydicom has already inflated a deflated file while reading it.
"""

from __future__ import annotations

import logging
from io import BytesIO
from typing import TYPE_CHECKING

import numpy as np

from app.dicomweb import media

from . import tags
from .decode import Pixels, decode_frame, native_frame_length
from .description import PixelDescription
from .errors import CorruptFile, CorruptFrame, MissingAttribute, UnsupportedImage

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

logger = logging.getLogger(__name__)

_SOURCE = "file"

#: Syntaxes whose Pixel Data pydicom holds as native pixels once the file is read.
_NATIVE_AFTER_READING = frozenset(
    {
        media.IMPLICIT_VR_LITTLE_ENDIAN,
        media.EXPLICIT_VR_LITTLE_ENDIAN,
        media.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
        media.EXPLICIT_VR_BIG_ENDIAN,
    }
)


class Part10Image:
    """The frames of one image file, decoded one at a time on request.

    ``frame_transfer_syntax_uid`` is the syntax of the bytes :meth:`frame_bytes`
    returns: Explicit VR Little Endian for every native file, else the file's own.
    """

    __slots__ = (
        "_dataset",
        "_unswapped",
        "description",
        "frame_transfer_syntax_uid",
        "transfer_syntax_uid",
    )

    def __init__(self, dataset: Dataset, transfer_syntax_uid: str) -> None:
        self._dataset = dataset
        self._unswapped: bytes | None = None
        self.description = PixelDescription.from_dataset(dataset)
        self.transfer_syntax_uid = transfer_syntax_uid
        self.frame_transfer_syntax_uid = (
            media.EXPLICIT_VR_LITTLE_ENDIAN
            if transfer_syntax_uid in _NATIVE_AFTER_READING
            else transfer_syntax_uid
        )

    @property
    def number_of_frames(self) -> int:
        """How many frames the file holds: (0028,0008) Number of Frames, else 1."""
        return self.description.number_of_frames

    def frame_bytes(self, number: int) -> bytes:
        """The bytes of frame ``number`` (1-based, as in WADO-RS), little endian."""
        self._check_number(number)
        if self.transfer_syntax_uid in _NATIVE_AFTER_READING:
            return self._native_frame(number)

        return self._compressed_frame(number)

    def frame(self, number: int) -> Pixels:
        """Frame ``number`` (1-based) decoded as :func:`decode_frame` does."""
        data = self.frame_bytes(number)
        return decode_frame(data, self.description, self.frame_transfer_syntax_uid)

    def _check_number(self, number: int) -> None:
        count = self.number_of_frames
        if not 1 <= number <= count:
            raise IndexError(
                f"Frame {number} does not exist: the file has {count} frame(s), "
                f"numbered 1 to {count}."
            )

    def _native_frame(self, number: int) -> bytes:
        description = self.description
        length = native_frame_length(description)
        pixel_data = self._pixel_data()
        big_endian = self.transfer_syntax_uid == media.EXPLICIT_VR_BIG_ENDIAN
        if big_endian and description.bits_allocated == 8:
            pixel_data = self._unswapped_bytes(pixel_data)
            big_endian = False

        start = (number - 1) * length
        frame = pixel_data[start : start + length]
        if len(frame) < length:
            raise CorruptFrame(
                f"Frame {number} of {description.number_of_frames} is cut short: "
                f"expected {length} bytes, got {len(frame)} (the Pixel Data holds "
                f"{len(pixel_data)} bytes)"
            )

        if not big_endian:
            return frame

        # PS3.5 A.3: each pixel is one big-endian word of Bits Allocated.
        dtype = np.dtype(f">u{description.bits_allocated // 8}")
        return (
            np.frombuffer(frame, dtype=dtype).astype(dtype.newbyteorder("<")).tobytes()
        )

    def _unswapped_bytes(self, pixel_data: bytes) -> bytes:
        """8-bit pixels of a big-endian file in byte order.

        In OW (16-bit words) each pair of bytes is swapped (PS3.5 8.2); OB is not.
        The whole value is swapped once, so frames of odd length stay aligned.
        """
        if self._dataset[tags.PIXEL_DATA.keyword].VR != "OW":
            return pixel_data

        if self._unswapped is None:
            padded = pixel_data + b"\0" * (len(pixel_data) % 2)
            words = np.frombuffer(padded, dtype=">u2").astype("<u2")
            self._unswapped = words.tobytes()[: len(pixel_data)]

        return self._unswapped

    def _compressed_frame(self, number: int) -> bytes:
        from pydicom.encaps import get_frame

        dataset = self._dataset
        offsets = None
        if "ExtendedOffsetTable" in dataset and "ExtendedOffsetTableLengths" in dataset:
            offsets = (dataset.ExtendedOffsetTable, dataset.ExtendedOffsetTableLengths)

        try:
            return get_frame(
                self._pixel_data(),
                number - 1,
                number_of_frames=self.number_of_frames,
                extended_offsets=offsets,
            )
        except (ValueError, KeyError, IndexError, EOFError) as exc:
            raise CorruptFrame(
                f"Frame {number} cannot be found in the encapsulated Pixel Data: {exc}"
            ) from exc

    def _pixel_data(self) -> bytes:
        value = self._dataset.get(tags.PIXEL_DATA.keyword)
        if not isinstance(value, bytes):
            raise MissingAttribute(tags.PIXEL_DATA, _SOURCE)

        return value


def read_part10(data: bytes | bytearray | memoryview) -> Part10Image:
    """Read a Part 10 file (PS3.10 7) with pydicom and describe its pixels.

    Raises :class:`CorruptFile` when the bytes are not a readable DICOM file,
    :class:`MissingAttribute` when it has no pixels, and :class:`UnsupportedImage`
    for float pixel data.
    """
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        dataset = pydicom.dcmread(BytesIO(bytes(data)))
    except InvalidDicomError as exc:
        raise CorruptFile(f"The bytes are not a DICOM Part 10 file: {exc}") from exc
    except (ValueError, EOFError, OSError, KeyError) as exc:
        raise CorruptFile(f"The DICOM file cannot be read: {exc}") from exc

    for tag in (tags.FLOAT_PIXEL_DATA, tags.DOUBLE_FLOAT_PIXEL_DATA):
        if tag.keyword in dataset:
            raise UnsupportedImage(f"{tags.describe(tag)} is not supported")

    if tags.PIXEL_DATA.keyword not in dataset:
        raise MissingAttribute(tags.PIXEL_DATA, _SOURCE)

    meta = getattr(dataset, "file_meta", None)
    transfer_syntax_uid = str(getattr(meta, tags.TRANSFER_SYNTAX_UID.keyword, ""))
    if not transfer_syntax_uid:
        raise MissingAttribute(tags.TRANSFER_SYNTAX_UID, _SOURCE)

    logger.debug(
        "Read a Part 10 file in %s", media.transfer_syntax_name(transfer_syntax_uid)
    )
    return Part10Image(dataset, transfer_syntax_uid)
