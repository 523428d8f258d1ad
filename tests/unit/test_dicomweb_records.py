"""DICOM JSON -> Study, Series, Instance records; PN, DA and TM formatting."""

import logging

import pytest

from app.dicomweb.errors import MalformedResponse
from app.dicomweb.records import (
    Instance,
    Series,
    Study,
    format_date,
    format_person_name,
    format_time,
    parse_instances,
    parse_metadata,
    parse_series,
    parse_studies,
)

STUDY_UID = "1.2.826.0.1.3680043.8.498.1"
SERIES_UID = "1.2.826.0.1.3680043.8.498.2"
SOP_UID = "1.2.826.0.1.3680043.8.498.3"

FULL_STUDY = {
    "00080005": {"vr": "CS", "Value": ["ISO_IR 192"]},
    "00080020": {"vr": "DA", "Value": ["20200131"]},
    "00080030": {"vr": "TM", "Value": ["143005.123"]},
    "00080050": {"vr": "SH", "Value": ["ACC-1"]},
    "00080061": {"vr": "CS", "Value": ["CT", "SR"]},
    "00080090": {"vr": "PN", "Value": [{"Alphabetic": "House^Gregory^^Dr"}]},
    "00081030": {"vr": "LO", "Value": ["Chest & Abdomen"]},
    "00081190": {"vr": "UR", "Value": [f"https://pacs/rs/studies/{STUDY_UID}"]},
    "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Müller^Jürgen"}]},
    "00100020": {"vr": "LO", "Value": ["PID-7"]},
    "00100030": {"vr": "DA", "Value": ["19700101"]},
    "00100040": {"vr": "CS", "Value": ["M"]},
    "0020000D": {"vr": "UI", "Value": [STUDY_UID]},
    "00200010": {"vr": "SH", "Value": ["S1"]},
    "00201206": {"vr": "IS", "Value": [2]},
    "00201208": {"vr": "IS", "Value": [301]},
}


def test_full_study():
    (study,) = parse_studies([FULL_STUDY])

    assert study == Study(
        study_instance_uid=STUDY_UID,
        patient_name="Müller, Jürgen",
        patient_id="PID-7",
        patient_birth_date="1970-01-01",
        patient_sex="M",
        study_date="2020-01-31",
        study_time="14:30:05",
        study_description="Chest & Abdomen",
        accession_number="ACC-1",
        study_id="S1",
        modalities=("CT", "SR"),
        referring_physician="House, Gregory",
        number_of_series=2,
        number_of_instances=301,
        retrieve_url=f"https://pacs/rs/studies/{STUDY_UID}",
    )


def test_study_with_only_its_uid():
    # Orthanc leaves absent attributes out; others send them without "Value".
    minimal = {
        "0020000D": {"vr": "UI", "Value": [STUDY_UID]},
        "00100010": {"vr": "PN"},
        "00080050": {"vr": "SH", "Value": []},
        "00201206": {"vr": "IS"},
    }

    (study,) = parse_studies([minimal])

    assert study == Study(
        study_instance_uid=STUDY_UID,
        patient_name="",
        patient_id="",
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


def test_entries_without_uid_are_skipped_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        studies = parse_studies(
            [{"00100020": {"vr": "LO", "Value": ["X"]}}, FULL_STUDY]
        )

    assert [study.study_instance_uid for study in studies] == [STUDY_UID]
    assert "Skipped 1 studies entries without StudyInstanceUID" in caplog.text
    assert "X" not in caplog.text.replace("Skipped", "")


def test_quirks_are_tolerated_and_reported_once(caplog):
    quirky = {
        "0020000D": {"vr": "UI", "Value": [STUDY_UID]},
        "00100010": {"vr": "PN", "Value": ["Doe^John"]},
        "00080061": {"vr": "CS", "Value": ["CT\\MR"]},
        "00201206": {"vr": "IS", "Value": [" 3 "]},
    }

    with caplog.at_level(logging.WARNING):
        studies = parse_studies([quirky, quirky])

    assert studies[0].patient_name == "Doe, John"
    assert studies[0].modalities == ("CT", "MR")
    assert studies[0].number_of_series == 3
    assert caplog.text.count("PatientName sent as a string") == 1
    assert "Doe" not in caplog.text


def test_null_values_in_lists_are_dropped():
    dataset = {
        "0020000D": {"vr": "UI", "Value": [STUDY_UID]},
        "00080061": {"vr": "CS", "Value": [None, "MR", ""]},
    }

    (study,) = parse_studies([dataset])

    assert study.modalities == ("MR",)


def test_series_take_the_study_uid_from_context_when_absent():
    dataset = {
        "0020000E": {"vr": "UI", "Value": [SERIES_UID]},
        "00080060": {"vr": "CS", "Value": ["MR"]},
        "00200011": {"vr": "IS", "Value": [4]},
        "0008103E": {"vr": "LO", "Value": ["T1 axial"]},
        "00201209": {"vr": "IS", "Value": [25]},
        "00180015": {"vr": "CS", "Value": ["HEAD"]},
    }

    (series,) = parse_series([dataset], study_instance_uid=STUDY_UID)

    assert series == Series(
        study_instance_uid=STUDY_UID,
        series_instance_uid=SERIES_UID,
        modality="MR",
        series_number=4,
        series_description="T1 axial",
        number_of_instances=25,
        body_part="HEAD",
        retrieve_url=None,
    )


def test_instance_fields():
    dataset = {
        "00080016": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.2"]},
        "00080018": {"vr": "UI", "Value": [SOP_UID]},
        "00200013": {"vr": "IS", "Value": [7]},
        "00280010": {"vr": "US", "Value": [512]},
        "00280011": {"vr": "US", "Value": [256]},
        "00280008": {"vr": "IS", "Value": ["3"]},
        "00020010": {"vr": "UI", "Value": ["1.2.840.10008.1.2.5"]},
        "00081190": {"vr": "UR", "Value": ["https://pacs/rs/x"]},
    }

    (instance,) = parse_instances(
        [dataset], study_instance_uid=STUDY_UID, series_instance_uid=SERIES_UID
    )

    assert instance == Instance(
        study_instance_uid=STUDY_UID,
        series_instance_uid=SERIES_UID,
        sop_instance_uid=SOP_UID,
        sop_class_uid="1.2.840.10008.5.1.4.1.1.2",
        instance_number=7,
        rows=512,
        columns=256,
        number_of_frames=3,
        transfer_syntax_uid="1.2.840.10008.1.2.5",
        retrieve_url="https://pacs/rs/x",
    )
    assert instance.frame_count == 3


def test_single_frame_instance_has_one_frame():
    dataset = {"00080018": {"vr": "UI", "Value": [SOP_UID]}}

    (instance,) = parse_instances(
        [dataset], study_instance_uid=STUDY_UID, series_instance_uid=SERIES_UID
    )

    assert instance.number_of_frames is None
    assert instance.frame_count == 1
    assert instance.transfer_syntax_uid is None


def test_metadata_keeps_the_full_json():
    dataset = {
        "0020000E": {"vr": "UI", "Value": [SERIES_UID]},
        "00080018": {"vr": "UI", "Value": [SOP_UID]},
        "00281050": {"vr": "DS", "Value": [40]},
    }

    (item,) = parse_metadata([dataset], study_instance_uid=STUDY_UID)

    assert item.instance.series_instance_uid == SERIES_UID
    assert item.attributes["00281050"]["Value"] == [40]


@pytest.mark.parametrize(
    "payload", [{"not": "a list"}, "text", None, [1, 2], [["nested"]]]
)
def test_payload_that_is_not_a_list_of_objects(payload):
    with pytest.raises(MalformedResponse, match="DICOM JSON"):
        parse_studies(payload)


def test_wrongly_typed_values_are_ignored():
    dataset = {
        "0020000D": {"vr": "UI", "Value": [STUDY_UID]},
        "00100020": "not an element",
        "00201206": {"vr": "IS", "Value": ["many"]},
        "00201208": {"vr": "IS", "Value": [True]},
        "00080020": {"vr": "DA", "Value": "20200101"},
    }

    (study,) = parse_studies([dataset])

    assert study.patient_id == ""
    assert study.number_of_series is None
    assert study.number_of_instances is None
    assert study.study_date == ""


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ({"Alphabetic": "Doe^John^^Dr"}, "Doe, John"),
        ({"Alphabetic": "Doe^John^Paul^Dr^Jr"}, "Doe, John Paul"),
        ({"Alphabetic": "Doe"}, "Doe"),
        ({"Alphabetic": "^John"}, "John"),
        ({"Alphabetic": "^^^Dr"}, "Dr"),
        ({"Alphabetic": ""}, ""),
        ({}, ""),
        ({"Ideographic": "山田^太郎"}, "山田, 太郎"),
        ({"Phonetic": "やまだ^たろう"}, "やまだ, たろう"),
        ({"Alphabetic": "^", "Ideographic": "山田"}, "山田"),
        ("Yamada^Tarou=山田^太郎", "Yamada, Tarou"),
        ("=山田^太郎", "山田, 太郎"),
        ({"Alphabetic": " Doe ^ John "}, "Doe, John"),
        (42, ""),
    ],
)
def test_format_person_name(value, shown):
    assert format_person_name(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("20200131", "2020-01-31"),
        (" 19991231 ", "1999-12-31"),
        ("20201341", "20201341"),
        ("20200230", "20200230"),
        ("2020.01.31", "2020.01.31"),
        ("2020", "2020"),
        ("", ""),
    ],
)
def test_format_date(value, shown):
    assert format_date(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("143005.123456", "14:30:05"),
        ("143005", "14:30:05"),
        ("1430", "14:30"),
        ("14", "14:00"),
        ("235960", "23:59:60"),
        ("250000", "250000"),
        ("146000", "146000"),
        ("14:30:05", "14:30:05"),
        ("abc", "abc"),
        ("", ""),
    ],
)
def test_format_time(value, shown):
    assert format_time(value) == shown
