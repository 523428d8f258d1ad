from datetime import date

import pytest

from app.dicomweb.errors import InvalidQuery
from app.dicomweb.query import Paging
from app.dicomweb.records import Study
from app.study_list import PAGE_SIZE, page_of, query_for


def study(number: int) -> Study:
    return Study(
        study_instance_uid=f"1.2.{number}",
        patient_name="Doe, John",
        patient_id=str(number),
        patient_birth_date="",
        patient_sex="",
        study_date="",
        study_time="",
        study_description="",
        accession_number="",
        study_id="",
        modalities=(),
        referring_physician="",
        number_of_series=None,
        number_of_instances=None,
        retrieve_url=None,
    )


def test_a_page_asks_for_one_more_study_than_it_shows() -> None:
    query = query_for({"patient_name": " doe ", "modality": "ct"}, offset=50)
    assert query.paging == Paging(limit=PAGE_SIZE + 1, offset=50)
    assert (query.patient_name, query.modality) == ("doe", "CT")


def test_dates_come_from_date_inputs() -> None:
    query = query_for({"date_from": "2020-01-01", "date_to": ""})
    assert (query.date_from, query.date_to) == (date(2020, 1, 1), None)
    with pytest.raises(InvalidQuery, match='From "1/2/2020" is not a date'):
        query_for({"date_from": "1/2/2020"})
    with pytest.raises(InvalidQuery, match="swap the two dates"):
        query_for({"date_from": "2021-01-01", "date_to": "2020-01-01"})


def test_pages() -> None:
    full = page_of(tuple(study(n) for n in range(PAGE_SIZE + 1)), offset=0)
    assert len(full.studies) == PAGE_SIZE and full.has_more
    assert full.describe() == f"Studies 1–{PAGE_SIZE} (more follow)"
    last = page_of((study(1), study(2)), offset=PAGE_SIZE)
    assert not last.has_more
    assert last.describe() == f"Studies {PAGE_SIZE + 1}–{PAGE_SIZE + 2}"
    assert page_of((), 0).describe() == "No studies match."
