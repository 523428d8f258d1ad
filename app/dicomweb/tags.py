"""DICOM attributes used by the DICOMweb client, named once.

Every tag the client reads from DICOM JSON or sends to a server is defined here. A
``Tag`` carries both spellings the protocols use: ``key``, the eight upper-case hex
digits that name an attribute in DICOM JSON (PS3.18 F.2.1.1), and ``keyword``, the
PS3.6 keyword that QIDO-RS accepts as a query key or in ``includefield`` (PS3.18
8.3.4.1).
"""

from __future__ import annotations

from typing import NamedTuple


class Tag(NamedTuple):
    """One DICOM attribute: its DICOM JSON key and its PS3.6 keyword."""

    key: str
    keyword: str


# File Meta Information (PS3.10 7.1). Some servers include it in metadata.
TRANSFER_SYNTAX_UID = Tag("00020010", "TransferSyntaxUID")

# SOP Common, General Study, General Series and friends (PS3.3).
SPECIFIC_CHARACTER_SET = Tag("00080005", "SpecificCharacterSet")
SOP_CLASS_UID = Tag("00080016", "SOPClassUID")
SOP_INSTANCE_UID = Tag("00080018", "SOPInstanceUID")
STUDY_DATE = Tag("00080020", "StudyDate")
STUDY_TIME = Tag("00080030", "StudyTime")
ACCESSION_NUMBER = Tag("00080050", "AccessionNumber")
MODALITY = Tag("00080060", "Modality")
MODALITIES_IN_STUDY = Tag("00080061", "ModalitiesInStudy")
REFERRING_PHYSICIAN_NAME = Tag("00080090", "ReferringPhysicianName")
RETRIEVE_URL = Tag("00081190", "RetrieveURL")
STUDY_DESCRIPTION = Tag("00081030", "StudyDescription")
SERIES_DESCRIPTION = Tag("0008103E", "SeriesDescription")

PATIENT_NAME = Tag("00100010", "PatientName")
PATIENT_ID = Tag("00100020", "PatientID")
PATIENT_BIRTH_DATE = Tag("00100030", "PatientBirthDate")
PATIENT_SEX = Tag("00100040", "PatientSex")

BODY_PART_EXAMINED = Tag("00180015", "BodyPartExamined")

STUDY_INSTANCE_UID = Tag("0020000D", "StudyInstanceUID")
SERIES_INSTANCE_UID = Tag("0020000E", "SeriesInstanceUID")
STUDY_ID = Tag("00200010", "StudyID")
SERIES_NUMBER = Tag("00200011", "SeriesNumber")
INSTANCE_NUMBER = Tag("00200013", "InstanceNumber")
NUMBER_OF_STUDY_RELATED_SERIES = Tag("00201206", "NumberOfStudyRelatedSeries")
NUMBER_OF_STUDY_RELATED_INSTANCES = Tag("00201208", "NumberOfStudyRelatedInstances")
NUMBER_OF_SERIES_RELATED_INSTANCES = Tag("00201209", "NumberOfSeriesRelatedInstances")

NUMBER_OF_FRAMES = Tag("00280008", "NumberOfFrames")
ROWS = Tag("00280010", "Rows")
COLUMNS = Tag("00280011", "Columns")

PIXEL_DATA = Tag("7FE00010", "PixelData")
