"""QIDO-RS: what the user typed -> parameters -> the exact URL."""

from datetime import date

import pytest

from app.dicomweb.errors import InvalidQuery
from app.dicomweb.query import (
    InstanceQuery,
    Paging,
    SeriesQuery,
    StudyQuery,
    date_range,
    encode_value,
    instance_params,
    name_pattern,
    series_instances_url,
    series_params,
    studies_url,
    study_params,
    study_series_url,
    text_pattern,
)

ROOT = "https://pacs.example/dicom-web"
STUDY = "1.2.3"
SERIES = "1.2.3.4"


def study_url(query: StudyQuery, *, include: bool = False, fuzzy: bool = False) -> str:
    params = study_params(query, include_field=include, fuzzy_matching=fuzzy)
    return studies_url(ROOT, params)


def test_no_filters_gives_the_bare_studies_url():
    assert study_url(StudyQuery()) == f"{ROOT}/studies"


def test_name_gets_a_trailing_wildcard():
    url = study_url(StudyQuery(patient_name="doe"))

    assert url == f"{ROOT}/studies?PatientName=doe*"


def test_caret_is_sent_literally():
    url = study_url(StudyQuery(patient_name="Doe^J"))

    assert url == f"{ROOT}/studies?PatientName=Doe^J*"


def test_displayed_comma_form_maps_back_to_caret():
    url = study_url(StudyQuery(patient_name="Doe , John"))

    assert url == f"{ROOT}/studies?PatientName=Doe^John*"


def test_space_becomes_single_character_wildcard():
    url = study_url(StudyQuery(patient_name="van der berg"))

    assert url == f"{ROOT}/studies?PatientName=van?der?berg*"


def test_non_ascii_run_becomes_one_star():
    url = study_url(StudyQuery(patient_name="Müller"))

    assert url == f"{ROOT}/studies?PatientName=M*ller*"


def test_non_ascii_only_name_collapses_to_star():
    url = study_url(StudyQuery(patient_name="山田"))

    assert url == f"{ROOT}/studies?PatientName=*"


def test_typed_wildcards_are_kept_and_nothing_added():
    assert study_url(StudyQuery(patient_name="d?e*n")).endswith("PatientName=d?e*n")
    assert study_url(StudyQuery(patient_name="*doe")).endswith("PatientName=*doe")


def test_fuzzy_matching_replaces_the_wildcard():
    url = study_url(StudyQuery(patient_name="doe"), fuzzy=True)

    assert url == f"{ROOT}/studies?PatientName=doe&fuzzymatching=true"


def test_fuzzy_matching_only_with_a_name():
    url = study_url(StudyQuery(patient_id="42"), fuzzy=True)

    assert url == f"{ROOT}/studies?PatientID=42"


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("O'Brien", "O?Brien"),
        ("a&b", "a?b"),
        ("a#b", "a?b"),
        ("50%", "50?"),
        ("a+b", "a?b"),
        ("a=b", "a?b"),
        ("T1/T2", "T1?T2"),
        ("a,b^c*d?e", "a,b^c*d?e"),
        ("x-1.2_3~", "x-1.2_3~"),
        ("Ærø Åse", "*r*?*se"),
        ("tab\there", "tab?here"),
    ],
)
def test_encode_value(typed: str, sent: str):
    assert encode_value(typed) == sent


def test_every_encoded_character_survives_fetch_and_decoding_unchanged():
    # What fetch leaves alone and a percent-decoding server reads as itself.
    allowed = set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~^*?,"
    )
    sample = "".join(chr(code) for code in range(0x20, 0x250))

    assert set(encode_value(sample)) <= allowed


def test_all_study_filters_in_fixed_order():
    query = StudyQuery(
        patient_name="doe",
        patient_id="PID 7",
        date_from=date(2020, 1, 1),
        date_to=date(2020, 12, 31),
        modality="ct, mr",
        accession_number="A1",
        description="chest",
        paging=Paging(limit=25, offset=50),
    )

    url = study_url(query, include=True)

    assert url == (
        f"{ROOT}/studies?PatientName=doe*&PatientID=PID?7"
        "&StudyDate=20200101-20201231&ModalitiesInStudy=CT,MR&AccessionNumber=A1"
        "&StudyDescription=*chest*&includefield=StudyDescription&limit=25&offset=50"
    )


def test_includefield_only_when_supported():
    assert study_url(StudyQuery(), include=True) == (
        f"{ROOT}/studies?includefield=StudyDescription"
    )
    assert study_url(StudyQuery(), include=False) == f"{ROOT}/studies"


def test_paging_limit_without_offset():
    url = study_url(StudyQuery(paging=Paging(limit=10)))

    assert url == f"{ROOT}/studies?limit=10"


def test_paging_offset_without_limit():
    url = study_url(StudyQuery(paging=Paging(offset=20)))

    assert url == f"{ROOT}/studies?offset=20"


@pytest.mark.parametrize(
    ("start", "end", "value"),
    [
        (date(2020, 1, 1), date(2020, 12, 31), "20200101-20201231"),
        (date(2020, 1, 1), None, "20200101-"),
        (None, date(2020, 12, 31), "-20201231"),
        (date(2020, 5, 6), date(2020, 5, 6), "20200506"),
        (None, None, ""),
        (date(99, 1, 2), None, "00990102-"),
    ],
)
def test_date_range(start, end, value):
    assert date_range(start, end) == value


def test_reversed_date_range_is_refused():
    with pytest.raises(InvalidQuery, match="swap the two dates"):
        StudyQuery(date_from=date(2021, 1, 1), date_to=date(2020, 1, 1))


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (-1, 0), (None, -5)])
def test_invalid_paging_is_refused(limit, offset):
    with pytest.raises(InvalidQuery):
        Paging(limit=limit, offset=offset)


def test_blank_filters_are_ignored():
    url = study_url(StudyQuery(patient_name="  ", patient_id=" ", description=" "))

    assert url == f"{ROOT}/studies"


def test_identifiers_are_exact():
    url = study_url(StudyQuery(patient_id=" 12345 ", accession_number="ACC9"))

    assert url == f"{ROOT}/studies?PatientID=12345&AccessionNumber=ACC9"


def test_series_url_is_study_rooted_with_filters():
    params = series_params(
        SeriesQuery(modality="mr", description="t1 ax", paging=Paging(limit=5)),
        include_field=True,
    )

    url = study_series_url(ROOT, STUDY, params)

    assert url == (
        f"{ROOT}/studies/1.2.3/series?Modality=MR&SeriesDescription=*t1?ax*"
        "&includefield=SeriesDescription,BodyPartExamined&limit=5"
    )


def test_series_url_without_includefield():
    params = series_params(SeriesQuery(), include_field=False)

    assert study_series_url(ROOT, STUDY, params) == f"{ROOT}/studies/1.2.3/series"


def test_instances_url_is_study_rooted():
    params = instance_params(
        InstanceQuery(paging=Paging(limit=100, offset=100)), include_field=True
    )

    url = series_instances_url(ROOT, STUDY, SERIES, params)

    assert url == f"{ROOT}/studies/1.2.3/series/1.2.3.4/instances?limit=100&offset=100"


def test_uid_with_unsafe_characters_cannot_change_the_path():
    url = study_series_url(ROOT, "1.2/../x?y", ())

    assert url == f"{ROOT}/studies/1.2%2F..%2Fx%3Fy/series"


def test_name_and_text_patterns():
    assert name_pattern("", fuzzy_matching=False) == ""
    assert name_pattern("Doe,John", fuzzy_matching=True) == "Doe^John"
    assert text_pattern(" chest ") == "*chest*"
    assert text_pattern("chest*") == "chest*"
