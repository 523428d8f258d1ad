"""DICOM JSON (PS3.18 F.2) into small immutable records for the views.

The views never read DICOM JSON: they get a Study, Series, Instance or Frame. Text
attributes that are absent or empty become ``""``, numbers become None. Names, dates
and times are formatted for people here, once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import tags
from .errors import MalformedResponse
from .multipart import MultipartRelated
from .tags import Tag

logger = logging.getLogger(__name__)

DicomJson = Mapping[str, Any]

_PN_GROUPS = ("Alphabetic", "Ideographic", "Phonetic")


@dataclass(frozen=True, slots=True)
class Study:
    """One study from a QIDO-RS study search (PS3.18 10.6)."""

    study_instance_uid: str
    patient_name: str
    patient_id: str
    patient_birth_date: str
    patient_sex: str
    study_date: str
    study_time: str
    study_description: str
    accession_number: str
    study_id: str
    modalities: tuple[str, ...]
    referring_physician: str
    number_of_series: int | None
    number_of_instances: int | None
    retrieve_url: str | None


@dataclass(frozen=True, slots=True)
class Series:
    """One series of a study."""

    study_instance_uid: str
    series_instance_uid: str
    modality: str
    series_number: int | None
    series_description: str
    number_of_instances: int | None
    body_part: str
    retrieve_url: str | None


@dataclass(frozen=True, slots=True)
class Instance:
    """One instance (SOP instance) of a series."""

    study_instance_uid: str
    series_instance_uid: str
    sop_instance_uid: str
    sop_class_uid: str
    instance_number: int | None
    rows: int | None
    columns: int | None
    number_of_frames: int | None
    transfer_syntax_uid: str | None
    retrieve_url: str | None

    @property
    def frame_count(self) -> int:
        """Frames to show: (0028,0008) Number of Frames, 1 when absent (PS3.3)."""
        return self.number_of_frames if self.number_of_frames else 1


@dataclass(frozen=True, slots=True)
class InstanceMetadata:
    """An instance's record plus its full DICOM JSON, for the imaging layer."""

    instance: Instance
    attributes: DicomJson


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame's pixel data as the server sent it (PS3.18 8.7.3).

    ``data`` is native little-endian pixels for Explicit/Implicit VR Little Endian,
    else one compressed frame (a JPEG, JPEG-LS or JPEG 2000 stream, or an RLE frame
    with its header).
    """

    number: int
    data: bytes
    media_type: str
    transfer_syntax_uid: str
    content_location: str | None


@dataclass(frozen=True, slots=True)
class RenderedImage:
    """A rendered image; ``media_type`` comes from the bytes, not the label."""

    data: bytes
    media_type: str


def parse_studies(payload: object) -> tuple[Study, ...]:
    """Parse a QIDO-RS study answer; entries without a Study Instance UID are skipped."""
    reader = _Reader()
    studies = tuple(
        _study(reader.wrap(dataset))
        for dataset in _datasets(payload)
        if reader.has(dataset, tags.STUDY_INSTANCE_UID)
    )
    reader.report("studies")
    return studies


def parse_series(payload: object, *, study_instance_uid: str) -> tuple[Series, ...]:
    """Parse a QIDO-RS series answer for the study ``study_instance_uid``."""
    reader = _Reader()
    series = tuple(
        _series(reader.wrap(dataset), study_instance_uid)
        for dataset in _datasets(payload)
        if reader.has(dataset, tags.SERIES_INSTANCE_UID)
    )
    reader.report("series")
    return series


def parse_instances(
    payload: object, *, study_instance_uid: str, series_instance_uid: str
) -> tuple[Instance, ...]:
    """Parse a QIDO-RS instance answer for one series."""
    reader = _Reader()
    instances = tuple(
        _instance(reader.wrap(dataset), study_instance_uid, series_instance_uid)
        for dataset in _datasets(payload)
        if reader.has(dataset, tags.SOP_INSTANCE_UID)
    )
    reader.report("instances")
    return instances


def parse_metadata(
    payload: object,
    *,
    study_instance_uid: str,
    series_instance_uid: str | None = None,
) -> tuple[InstanceMetadata, ...]:
    """Parse a WADO-RS metadata answer (PS3.18 10.4) into records plus JSON."""
    reader = _Reader()
    result: list[InstanceMetadata] = []
    for dataset in _datasets(payload):
        if not reader.has(dataset, tags.SOP_INSTANCE_UID):
            continue

        wrapped = reader.wrap(dataset)
        series_uid = series_instance_uid or wrapped.text(tags.SERIES_INSTANCE_UID)
        instance = _instance(wrapped, study_instance_uid, series_uid)
        result.append(InstanceMetadata(instance, dataset))
    reader.report("metadata")
    return tuple(result)


def frames_from_multipart(
    message: MultipartRelated, frame_numbers: Sequence[int]
) -> tuple[Frame, ...]:
    """Pair the parts of a frames answer with the numbers asked for, in order.

    PS3.18 8.7.3 sends one part per frame in the order of the request. A part
    whose transfer syntax cannot be told gets an empty ``transfer_syntax_uid``.
    """
    if len(message.parts) != len(frame_numbers):
        raise MalformedResponse(
            f"asked for {len(frame_numbers)} frames, the answer has "
            f"{len(message.parts)} parts"
        )

    return tuple(
        Frame(
            number=number,
            data=part.body,
            media_type=message.part_media_type(part),
            transfer_syntax_uid=message.part_transfer_syntax(part) or "",
            content_location=part.content_location,
        )
        for number, part in zip(frame_numbers, message.parts, strict=True)
    )


def format_person_name(value: object) -> str:
    """Format a PN value for people: ``Doe^John^^Dr`` -> ``Doe, John``.

    Takes the DICOM JSON object (PS3.18 F.2) and uses its Alphabetic group, else
    the Ideographic, else the Phonetic one; a bare string is read as one PN value
    with ``=`` between groups. Family and given names are joined by a comma, the
    middle name follows the given name; prefix and suffix are left out, unless they
    are all there is.
    """
    group = _pn_group(value)
    components = [component.strip() for component in group.split("^")]
    family, given, middle, prefix, suffix = (components + [""] * 5)[:5]
    first = " ".join(part for part in (given, middle) if part)
    if family and first:
        return f"{family}, {first}"

    if family or first:
        return family or first

    return " ".join(part for part in (prefix, suffix) if part)


def format_date(value: str) -> str:
    """Format a DA value ``20200131`` as ``2020-01-31``; anything else stays as it is."""
    text = value.strip()
    if len(text) != 8 or not text.isdigit():
        return text

    try:
        day = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return text
    return day.isoformat()


def format_time(value: str) -> str:
    """Format a TM value: ``143005.123`` -> ``14:30:05``, ``1430`` -> ``14:30``.

    Fractions of a second are dropped; an invalid value stays as it is (PS3.5 6.2).
    """
    text = value.strip()
    whole = text.partition(".")[0]
    if len(whole) not in (2, 4, 6) or not whole.isdigit():
        return text

    fields = [int(whole[index : index + 2]) for index in range(0, len(whole), 2)]
    limits = (23, 59, 60)  # 60 allows a leap second
    if any(field > limit for field, limit in zip(fields, limits, strict=False)):
        return text

    if len(fields) == 1:
        return f"{fields[0]:02d}:00"

    return ":".join(f"{field:02d}" for field in fields)


def _study(ds: _Dataset) -> Study:
    return Study(
        study_instance_uid=ds.text(tags.STUDY_INSTANCE_UID),
        patient_name=ds.person_name(tags.PATIENT_NAME),
        patient_id=ds.text(tags.PATIENT_ID),
        patient_birth_date=format_date(ds.text(tags.PATIENT_BIRTH_DATE)),
        patient_sex=ds.text(tags.PATIENT_SEX),
        study_date=format_date(ds.text(tags.STUDY_DATE)),
        study_time=format_time(ds.text(tags.STUDY_TIME)),
        study_description=ds.text(tags.STUDY_DESCRIPTION),
        accession_number=ds.text(tags.ACCESSION_NUMBER),
        study_id=ds.text(tags.STUDY_ID),
        modalities=ds.texts(tags.MODALITIES_IN_STUDY),
        referring_physician=ds.person_name(tags.REFERRING_PHYSICIAN_NAME),
        number_of_series=ds.integer(tags.NUMBER_OF_STUDY_RELATED_SERIES),
        number_of_instances=ds.integer(tags.NUMBER_OF_STUDY_RELATED_INSTANCES),
        retrieve_url=ds.text(tags.RETRIEVE_URL) or None,
    )


def _series(ds: _Dataset, study_instance_uid: str) -> Series:
    return Series(
        study_instance_uid=ds.text(tags.STUDY_INSTANCE_UID) or study_instance_uid,
        series_instance_uid=ds.text(tags.SERIES_INSTANCE_UID),
        modality=ds.text(tags.MODALITY),
        series_number=ds.integer(tags.SERIES_NUMBER),
        series_description=ds.text(tags.SERIES_DESCRIPTION),
        number_of_instances=ds.integer(tags.NUMBER_OF_SERIES_RELATED_INSTANCES),
        body_part=ds.text(tags.BODY_PART_EXAMINED),
        retrieve_url=ds.text(tags.RETRIEVE_URL) or None,
    )


def _instance(
    ds: _Dataset, study_instance_uid: str, series_instance_uid: str
) -> Instance:
    return Instance(
        study_instance_uid=ds.text(tags.STUDY_INSTANCE_UID) or study_instance_uid,
        series_instance_uid=ds.text(tags.SERIES_INSTANCE_UID) or series_instance_uid,
        sop_instance_uid=ds.text(tags.SOP_INSTANCE_UID),
        sop_class_uid=ds.text(tags.SOP_CLASS_UID),
        instance_number=ds.integer(tags.INSTANCE_NUMBER),
        rows=ds.integer(tags.ROWS),
        columns=ds.integer(tags.COLUMNS),
        number_of_frames=ds.integer(tags.NUMBER_OF_FRAMES),
        transfer_syntax_uid=ds.text(tags.TRANSFER_SYNTAX_UID) or None,
        retrieve_url=ds.text(tags.RETRIEVE_URL) or None,
    )


def _datasets(payload: object) -> Iterable[DicomJson]:
    if not isinstance(payload, list):
        raise MalformedResponse(
            f"expected a JSON array of DICOM JSON datasets (PS3.18 F.2), got "
            f"{type(payload).__name__}"
        )

    for dataset in payload:
        if not isinstance(dataset, dict):
            raise MalformedResponse("a DICOM JSON dataset is not a JSON object")
        yield dataset


def _pn_group(value: object) -> str:
    if isinstance(value, Mapping):
        for group in _PN_GROUPS:
            text = value.get(group)
            if isinstance(text, str) and text.strip("^ "):
                return text
        return ""

    if isinstance(value, str):
        for text in value.split("="):
            if text.strip("^ "):
                return text
    return ""


class _Reader:
    """Reads attributes of many datasets and reports each server quirk once."""

    def __init__(self) -> None:
        self.quirks: set[str] = set()
        self.skipped: dict[str, int] = {}

    def wrap(self, dataset: DicomJson) -> _Dataset:
        return _Dataset(dataset, self.quirks)

    def has(self, dataset: DicomJson, tag: Tag) -> bool:
        if self.wrap(dataset).text(tag):
            return True

        self.skipped[tag.keyword] = self.skipped.get(tag.keyword, 0) + 1
        return False

    def report(self, what: str) -> None:
        for keyword, count in sorted(self.skipped.items()):
            logger.warning(
                "Skipped %d %s entries without %s, which PS3.18 10.6 requires",
                count,
                what,
                keyword,
            )

        for quirk in sorted(self.quirks):
            logger.warning("Tolerated in %s: %s", what, quirk)


class _Dataset:
    """Typed, forgiving access to one DICOM JSON object."""

    def __init__(self, attributes: DicomJson, quirks: set[str]) -> None:
        self.attributes = attributes
        self.quirks = quirks

    def values(self, tag: Tag) -> list[Any]:
        element = self.attributes.get(tag.key)
        if not isinstance(element, Mapping):
            return []

        values = element.get("Value")
        if not isinstance(values, list):
            return []

        # PS3.18 F.2: null stands for an empty value inside a multi-valued list.
        return [value for value in values if value is not None]

    def text(self, tag: Tag) -> str:
        values = self.values(tag)
        if not values:
            return ""

        first = values[0]
        if isinstance(first, str):
            return first.strip()

        if isinstance(first, int | float) and not isinstance(first, bool):
            return str(first)
        return ""

    def texts(self, tag: Tag) -> tuple[str, ...]:
        result: list[str] = []
        for value in self.values(tag):
            if not isinstance(value, str):
                continue

            if "\\" in value:
                # Some servers send a multi-valued string as one "CT\MR" value.
                self.quirks.add(f"{tag.keyword} values joined by '\\' (PS3.18 F.2)")
                result.extend(piece.strip() for piece in value.split("\\"))
            else:
                result.append(value.strip())
        return tuple(value for value in result if value)

    def integer(self, tag: Tag) -> int | None:
        values = self.values(tag)
        if not values:
            return None

        first = values[0]
        if isinstance(first, bool):
            return None

        if isinstance(first, int):
            return first

        if isinstance(first, float) and first.is_integer():
            return int(first)

        if isinstance(first, str):
            # IS sent as a JSON string; PS3.18 F.2 asks for a number.
            try:
                number = int(first.strip())
            except ValueError:
                return None
            self.quirks.add(f"{tag.keyword} sent as a string (PS3.18 F.2)")
            return number
        return None

    def person_name(self, tag: Tag) -> str:
        values = self.values(tag)
        if not values:
            return ""

        if isinstance(values[0], str):
            self.quirks.add(
                f"{tag.keyword} sent as a string, not an object (PS3.18 F.2)"
            )
        return format_person_name(values[0])
