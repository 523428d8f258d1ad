"""The study list's paging and search form, as plain data (the view only renders).

QIDO-RS returns no total count (PS3.18 leaves it optional; Orthanc sends none), so a
page asks for one study more than it shows: when that one arrives there is a next
page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.dicomweb.errors import InvalidQuery
from app.dicomweb.query import Paging, StudyQuery
from app.dicomweb.records import Study

PAGE_SIZE = 25

SEARCH_FIELDS = (
    "patient_name",
    "patient_id",
    "accession_number",
    "modality",
    "description",
    "date_from",
    "date_to",
)


@dataclass(frozen=True, slots=True)
class StudyPage:
    """One page of results: which studies, where it starts, whether more follow."""

    studies: tuple[Study, ...]
    offset: int
    has_more: bool

    @property
    def first_number(self) -> int:
        return self.offset + 1 if self.studies else 0

    @property
    def last_number(self) -> int:
        return self.offset + len(self.studies)

    def describe(self) -> str:
        if not self.studies:
            return "No studies match." if self.offset == 0 else "No more studies."
        more = " (more follow)" if self.has_more else ""
        return f"Studies {self.first_number}–{self.last_number}{more}"


def parse_date(label: str, text: str) -> date | None:
    """A date from an ``<input type=date>`` (``YYYY-MM-DD``), or None when empty."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidQuery(
            f'{label} "{text}" is not a date; use the form YYYY-MM-DD.'
        ) from None


def query_for(values: dict[str, str], offset: int = 0) -> StudyQuery:
    """The QIDO query of the search form, for the page that starts at ``offset``.

    Raises ``InvalidQuery`` with a sentence for the user when a field is unusable.
    """
    return StudyQuery(
        patient_name=values.get("patient_name", "").strip(),
        patient_id=values.get("patient_id", "").strip(),
        accession_number=values.get("accession_number", "").strip(),
        modality=values.get("modality", "").strip().upper(),
        description=values.get("description", "").strip(),
        date_from=parse_date("From", values.get("date_from", "")),
        date_to=parse_date("To", values.get("date_to", "")),
        paging=Paging(limit=PAGE_SIZE + 1, offset=offset),
    )


def page_of(studies: tuple[Study, ...], offset: int) -> StudyPage:
    """The page to show from an answer to ``query_for(..., offset)``."""
    return StudyPage(studies[:PAGE_SIZE], offset, has_more=len(studies) > PAGE_SIZE)
