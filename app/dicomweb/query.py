"""QIDO-RS queries: what the user typed -> query parameters -> URL (PS3.18 10.6).

The first two steps are pure functions of immutable filter records, so the views and
the tests can see the exact URL a search will request.

How values are written into the URL
-----------------------------------
Orthanc 1.10 does not percent-decode QIDO values: ``PatientName=Doe^J*`` matches, but
``Doe%5EJ*``, ``Doe%20J*``, ``Doe+J*`` and percent-encoded UTF-8 match nothing. The
browser's ``fetch`` sends ``^ * ? ,`` as they are but must percent-encode spaces and
non-ASCII characters, so no single spelling of a space or of ``ü`` reaches Orthanc
intact. :func:`encode_value` therefore writes only characters that every server reads
the same way, decoding or not, and stands in for the rest with DICOM wildcards
(PS3.4 C.2.2.2.4):

* letters, digits, ``- . _ ~`` and ``^ * ? ,`` are sent as they are;
* every other ASCII character (space, ``& # % + = ' /`` and the like) becomes ``?``,
  which matches exactly one character;
* a run of non-ASCII characters becomes one ``*``. A ``?`` would be the closer
  stand-in, but measured on Orthanc 1.10 ``M?ller*`` does not find ``Müller`` while
  ``M*ller*`` does (its index folds or drops non-ASCII letters), and a server that
  matches UTF-8 bytes would need two ``?`` for ``ü``; ``*`` matches in every case.

The trade-off: a stand-in also matches other characters, so ``O?Brien*`` finds
``O'Brien`` and ``OxBrien``, and a name typed only in non-ASCII letters matches every
name. Results are a superset of the exact ones, never a subset, which for a search
box is the better error.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date

from . import tags
from .errors import InvalidQuery
from .urls import join_path

logger = logging.getLogger(__name__)

QueryParams = tuple[tuple[str, str], ...]

WILDCARDS = frozenset("*?")
_LITERAL = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~^*?,"
)
_COMMA = re.compile(r"\s*,\s*")

# Attributes the records need that Orthanc 1.10 leaves out of QIDO answers unless
# asked for; StudyDescription and BodyPartExamined are not among the default return
# attributes of PS3.18 10.6 either.
STUDY_INCLUDE_FIELDS = (tags.STUDY_DESCRIPTION,)
SERIES_INCLUDE_FIELDS = (tags.SERIES_DESCRIPTION, tags.BODY_PART_EXAMINED)
INSTANCE_INCLUDE_FIELDS: tuple[tags.Tag, ...] = ()


@dataclass(frozen=True, slots=True)
class Paging:
    """``limit`` and ``offset`` (PS3.18 8.3.4); None means the server's default."""

    limit: int | None = None
    offset: int = 0

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise InvalidQuery(
                f"A page size of {self.limit} is invalid; use 1 or more."
            )

        if self.offset < 0:
            raise InvalidQuery(f"An offset of {self.offset} is invalid; use 0 or more.")


@dataclass(frozen=True, slots=True)
class StudyQuery:
    """What the user typed into the study search form; empty strings are ignored.

    Names and descriptions are partial matches; IDs and accession numbers are exact
    unless the user typed ``*`` or ``?``. Dates are inclusive and either may be open.
    """

    patient_name: str = ""
    patient_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    modality: str = ""
    accession_number: str = ""
    description: str = ""
    paging: Paging = Paging()

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidQuery(
                f"The study date range starts on {self.date_from.isoformat()}, after "
                f"it ends on {self.date_to.isoformat()}; swap the two dates."
            )


@dataclass(frozen=True, slots=True)
class SeriesQuery:
    """Filters for the series of one study."""

    modality: str = ""
    description: str = ""
    paging: Paging = Paging()


@dataclass(frozen=True, slots=True)
class InstanceQuery:
    """Filters for the instances of one series."""

    paging: Paging = Paging()


def study_params(
    query: StudyQuery, *, include_field: bool, fuzzy_matching: bool
) -> QueryParams:
    """Map a study search to QIDO-RS parameters, in a fixed order."""
    params: list[tuple[str, str]] = []
    _add(params, tags.PATIENT_NAME, name_pattern(query.patient_name, fuzzy_matching))
    _add(params, tags.PATIENT_ID, exact_pattern(query.patient_id))
    _add(params, tags.STUDY_DATE, date_range(query.date_from, query.date_to))
    _add(params, tags.MODALITIES_IN_STUDY, modality_pattern(query.modality))
    _add(params, tags.ACCESSION_NUMBER, exact_pattern(query.accession_number))
    _add(params, tags.STUDY_DESCRIPTION, text_pattern(query.description))
    if fuzzy_matching and query.patient_name.strip():
        params.append(("fuzzymatching", "true"))

    return _finish(params, STUDY_INCLUDE_FIELDS, include_field, query.paging)


def series_params(query: SeriesQuery, *, include_field: bool) -> QueryParams:
    """Map a series search to QIDO-RS parameters, in a fixed order."""
    params: list[tuple[str, str]] = []
    _add(params, tags.MODALITY, modality_pattern(query.modality))
    _add(params, tags.SERIES_DESCRIPTION, text_pattern(query.description))
    return _finish(params, SERIES_INCLUDE_FIELDS, include_field, query.paging)


def instance_params(query: InstanceQuery, *, include_field: bool) -> QueryParams:
    """Map an instance search to QIDO-RS parameters."""
    return _finish([], INSTANCE_INCLUDE_FIELDS, include_field, query.paging)


def studies_url(root: str, params: QueryParams) -> str:
    """``{qido}/studies?...`` (PS3.18 10.6, all studies)."""
    return with_query(join_path(root, "studies"), params)


def study_series_url(root: str, study_uid: str, params: QueryParams) -> str:
    """``{qido}/studies/{study}/series?...`` (the study's series)."""
    return with_query(join_path(root, "studies", study_uid, "series"), params)


def series_instances_url(
    root: str, study_uid: str, series_uid: str, params: QueryParams
) -> str:
    """``{qido}/studies/{study}/series/{series}/instances?...``.

    Study-rooted on purpose: Orthanc 1.10 answers 404 to ``/series/{uid}/instances``.
    """
    path = join_path(root, "studies", study_uid, "series", series_uid, "instances")
    return with_query(path, params)


def with_query(base: str, params: QueryParams) -> str:
    """Append ``params`` to ``base``, each value written by :func:`encode_value`."""
    if not params:
        return base

    return (
        base + "?" + "&".join(f"{key}={encode_value(value)}" for key, value in params)
    )


def encode_value(value: str) -> str:
    """Write a QIDO value so Orthanc and decoding servers read the same match.

    See the module docstring: safe characters pass, other ASCII becomes ``?`` and a
    run of non-ASCII becomes ``*``. ``Doe^John Paul*`` -> ``Doe^John?Paul*``;
    ``Müller`` -> ``M*ller``.
    """
    out: list[str] = []
    for char in value:
        if char == "*" or not char.isascii():
            # Adjacent stars match what one star matches; keep the URL short.
            if not out or out[-1] != "*":
                out.append("*")
        elif char in _LITERAL:
            out.append(char)
        else:
            out.append("?")
    return "".join(out)


def name_pattern(typed: str, fuzzy_matching: bool) -> str:
    """A person name pattern: ``doe`` -> ``doe*``; ``Doe, John`` -> ``Doe^John*``.

    The comma form is how the viewer shows names, so it maps back to the DICOM
    component separator ``^`` (PS3.5 6.2.1). With fuzzy matching the server decides
    how to match and no ``*`` is added. Typed wildcards are kept as they are.
    """
    text = _COMMA.sub("^", typed.strip())
    if not text or fuzzy_matching or _has_wildcard(text):
        return text

    return text + "*"


def text_pattern(typed: str) -> str:
    """A free-text pattern: ``chest`` -> ``*chest*``; typed wildcards are kept."""
    text = typed.strip()
    if not text or _has_wildcard(text):
        return text

    return f"*{text}*"


def exact_pattern(typed: str) -> str:
    """An identifier: matched exactly unless the user typed wildcards."""
    return typed.strip()


def modality_pattern(typed: str) -> str:
    """A modality or comma list of them, upper-cased as CS values are (PS3.5 6.2)."""
    return _COMMA.sub(",", typed.strip().upper())


def date_range(start: date | None, end: date | None) -> str:
    """A DA range (PS3.4 C.2.2.2.5): ``20200101-20201231``, ``20200101-``,
    ``-20201231``, or one date when both ends are the same day."""
    if start is None and end is None:
        return ""

    first = _dicom_date(start)
    last = _dicom_date(end)
    if first == last:
        return first

    return f"{first}-{last}"


def _dicom_date(day: date | None) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}" if day else ""


def _has_wildcard(text: str) -> bool:
    return any(char in WILDCARDS for char in text)


def _add(params: list[tuple[str, str]], tag: tags.Tag, value: str) -> None:
    if value:
        params.append((tag.keyword, value))


def _finish(
    params: list[tuple[str, str]],
    include: tuple[tags.Tag, ...],
    include_field: bool,
    paging: Paging,
) -> QueryParams:
    # Named attributes only: Orthanc 1.10 ignores includefield=all.
    if include_field and include:
        params.append(("includefield", ",".join(tag.keyword for tag in include)))

    if paging.limit is not None:
        params.append(("limit", str(paging.limit)))

    if paging.offset:
        params.append(("offset", str(paging.offset)))

    return tuple(params)
