#!/usr/bin/env python3
"""Make the built-in sample archive that ``serve.py`` answers under ``/sample/rs``.

Maintainer script, run with the test tools' Python (it needs pydicom and numpy)::

    .venv/bin/python scripts/make_sample_data.py [--out assets/sample] [--part10 DIR]

Everything in it is synthetic: three invented patients, pixels drawn from formulas,
no file taken from anywhere. The output is the same bytes on every run: UIDs are
derived from fixed names (the ``2.25`` UUID form of PS3.5 B.2), dates are fixed, and
the noise comes from hashing pixel indices, not from a random generator.

What it writes, and what ``serve.py`` reads (``serve.py`` needs no pydicom):

* ``index.json``: the studies, their series and instances, each with the DICOM JSON
  (PS3.18 F.2) a QIDO-RS search returns for it, plus where its metadata and pixels
  are;
* ``study-N/series-M/metadata.json``: the WADO-RS metadata of the series, one DICOM
  JSON object per instance, pixel data left out;
* ``study-N/series-M/NNNN.raw.gz``: an instance's frames in Explicit VR Little Endian,
  i.e. native little-endian pixels, one frame after the other, gzip-compressed to
  keep the folder small (serve.py inflates them).

``--part10 DIR`` also saves every instance as a DICOM file in DIR, to open the sample
in other viewers; those files are not part of the site.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, ExplicitVRLittleEndian

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "assets" / "sample"

ARCHIVE_FORMAT = "zhiva-sample-archive"
ARCHIVE_VERSION = 1
INDEX_NAME = "index.json"
STUDY_FOLDER_PREFIX = "study-"

# A fixed namespace for the UIDs (uuid5 of a name), so every run makes the same ones.
UID_NAMESPACE = uuid.UUID("2f0c5f5e-8f4b-4c7e-9a6d-3b1e7c2d9a10")

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4"
SECONDARY_CAPTURE_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.7"
US_MULTIFRAME_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.3.1"

# (0018,1063) Frame Time: the attribute the multi-frame's frames step through.
FRAME_TIME_TAG = 0x00181063

# Attributes of the QIDO-RS answers: PS3.18 Table 10.6.3-3 (study), 10.6.3-4 (series)
# and 10.6.3-5 (instance), plus the descriptions the viewer shows. The counts and
# Modalities in Study are computed.
STUDY_KEYWORDS = (
    "SpecificCharacterSet",
    "StudyDate",
    "StudyTime",
    "AccessionNumber",
    "ReferringPhysicianName",
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyInstanceUID",
    "StudyID",
    "StudyDescription",
)
SERIES_KEYWORDS = (
    "SpecificCharacterSet",
    "Modality",
    "SeriesDescription",
    "BodyPartExamined",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "SeriesNumber",
)
INSTANCE_KEYWORDS = (
    "SpecificCharacterSet",
    "SOPClassUID",
    "SOPInstanceUID",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "InstanceNumber",
    "NumberOfFrames",
    "Rows",
    "Columns",
    "BitsAllocated",
)

TEXT_NOTE = "Synthetic phantom made by scripts/make_sample_data.py; not patient data."


def make_uid(name: str) -> str:
    """A UID derived from ``name``: ``2.25.`` and a UUID as an integer (PS3.5 B.2)."""
    return f"2.25.{uuid.uuid5(UID_NAMESPACE, name).int}"


@dataclass(frozen=True)
class Patient:
    name: str
    patient_id: str
    birth_date: str
    sex: str
    character_set: str | None = None


@dataclass(frozen=True)
class StudySpec:
    key: str
    patient: Patient
    date: str
    time: str
    description: str
    accession_number: str
    study_id: str
    referring_physician: str


@dataclass(frozen=True)
class SampleSeries:
    """One series of the archive: its instances in order, pixels included."""

    instances: tuple[Dataset, ...]


@dataclass(frozen=True)
class SampleStudy:
    """One study of the archive and its series, in order."""

    series: tuple[SampleSeries, ...]


JURGEN = Patient("Muster^Jürgen", "ZH-0001", "19620314", "M", "ISO_IR 192")
JANE = Patient("Doe^Jane", "ZH-0002", "19850721", "F")
SIOBHAN = Patient("O'Brien^Siobhan", "ZH-0003", "19790102", "F")

CT_STUDY = StudySpec(
    key="ct-thorax",
    patient=JURGEN,
    date="20240312",
    time="101500",
    description="CT Thorax phantom",
    accession_number="A24031201",
    study_id="1",
    referring_physician="Weber^Anna",
)
MR_STUDY = StudySpec(
    key="mr-head",
    patient=JANE,
    date="20230905",
    time="083000",
    description="MR Head phantom",
    accession_number="A23090502",
    study_id="1",
    referring_physician="Novak^Petr",
)
US_STUDY = StudySpec(
    key="us-echo",
    patient=SIOBHAN,
    date="20250117",
    time="141200",
    description="US Echo loop phantom",
    accession_number="A25011703",
    study_id="1",
    referring_physician="Weber^Anna",
)


# Geometry and pixels ----------------------------------------------------------------


def pixel_grid(size: int, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Patient x (columns) and y (rows) in mm of each pixel centre, origin mid-image."""
    centres = (np.arange(size, dtype=np.float64) - (size - 1) / 2) * spacing
    return np.meshgrid(centres, centres)


def ellipse(
    x: np.ndarray, y: np.ndarray, cx: float, cy: float, ax: float, ay: float
) -> np.ndarray:
    """A mask of the ellipse centred on (cx, cy) with semi-axes ax and ay, in mm."""
    return ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1.0


def hash_noise(shape: tuple[int, ...], seed: int, spread: int) -> np.ndarray:
    """Noise in -spread..spread, the same on every machine and numpy version.

    Each pixel's index goes through the splitmix64 finaliser in wrapping uint64
    arithmetic; numpy's random generators may change their streams between versions.
    Two draws are added so the noise is triangular rather than flat.
    """
    index = np.arange(int(np.prod(shape)), dtype=np.uint64).reshape(shape)
    total = np.zeros(shape, dtype=np.int64)
    for draw in range(2):
        offset = (seed * 2 + draw + 1) * 0x9E3779B97F4A7C15 % 2**64
        value = index + np.uint64(offset)
        value = (value ^ (value >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        value = (value ^ (value >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        value = value ^ (value >> np.uint64(31))
        total += (value % np.uint64(spread + 1)).astype(np.int64)
    return total - spread


def sphere_radius(radius: float, distance: float) -> float:
    """The radius of a sphere's cut at ``distance`` from its centre (0 if none)."""
    if abs(distance) >= radius:
        return 0.0

    return float(np.sqrt(radius**2 - distance**2))


CT_SIZE = 256
CT_SLICES = 40
CT_SPACING = 1.5
CT_THICKNESS = 5.0
CT_FIRST_Z = -97.5
CT_INTERCEPT = -1024

# (x, y, z, radius) in mm and the value in HU: a heart and three lung nodules, so the
# slices differ from one another.
CT_SPHERES = (
    ((15.0, -5.0, -20.0, 55.0), 40),
    ((-75.0, -25.0, 45.0, 12.0), 30),
    ((80.0, 10.0, 0.0, 9.0), 30),
    ((-60.0, 30.0, -55.0, 16.0), 60),
)


def ct_slice_hu(z: float) -> np.ndarray:
    """One axial slice of a thorax phantom at height ``z`` mm, in Hounsfield units.

    Air -1000, body ~0, a "bone" ring and spine +700, lungs -800 that shrink towards
    the ends of the scan, and the spheres of CT_SPHERES where ``z`` cuts them.
    """
    x, y = pixel_grid(CT_SIZE, CT_SPACING)
    hu = np.full((CT_SIZE, CT_SIZE), -1000.0)
    hu[ellipse(x, y, 0, 0, 172, 118)] = -90  # subcutaneous fat
    hu[ellipse(x, y, 0, 0, 164, 110)] = 10
    ring = ellipse(x, y, 0, 0, 150, 100) & ~ellipse(x, y, 0, 0, 143, 93)
    hu[ring] = 700
    hu[ellipse(x, y, 0, 78, 15, 14)] = 700  # spine
    lung_scale = np.sqrt(max(0.0, 1.0 - ((z + 10.0) / 125.0) ** 2))
    for side in (-1, 1):
        lung = ellipse(x, y, side * 72, -5, 52 * lung_scale, 76 * lung_scale)
        hu[lung] = -800

    for (cx, cy, cz, radius), value in CT_SPHERES:
        cut = sphere_radius(radius, z - cz)
        if cut > 0:
            hu[ellipse(x, y, cx, cy, cut, cut)] = value
    return hu


def ct_frame(index: int) -> bytes:
    """Slice ``index`` as stored: signed 16-bit, HU minus the rescale intercept."""
    hu = ct_slice_hu(CT_FIRST_Z + index * CT_THICKNESS)
    hu += np.where(hu > -950, hash_noise(hu.shape, index, 6), 0)
    return np.round(hu - CT_INTERCEPT).astype("<i2").tobytes()


MR_SIZE = 256
MR_SLICES = 6
MR_SPACING = 0.9
MR_GAP = 6.0


def mr_frame(index: int) -> bytes:
    """A T1-like head phantom, unsigned 12 bits in 16: scalp, skull, brain, ventricles."""
    z = (index - (MR_SLICES - 1) / 2) * MR_GAP
    scale = np.sqrt(max(0.0, 1.0 - (z / 70.0) ** 2))
    x, y = pixel_grid(MR_SIZE, MR_SPACING)
    image = np.zeros((MR_SIZE, MR_SIZE))
    image[ellipse(x, y, 0, 0, 78 * scale, 98 * scale)] = 1700  # scalp fat
    image[ellipse(x, y, 0, 0, 73 * scale, 93 * scale)] = 250  # skull
    image[ellipse(x, y, 0, 0, 67 * scale, 87 * scale)] = 900  # grey matter
    image[ellipse(x, y, 0, 0, 55 * scale, 74 * scale)] = 1300  # white matter
    ventricle = 14 + 3 * index
    for side in (-1, 1):
        image[ellipse(x, y, side * 9, -8, 6, ventricle)] = 300
    # A gentle left-right coil shading, as surface coils give.
    image *= 1.0 + 0.15 * x / (MR_SIZE * MR_SPACING / 2)
    image += np.where(image > 0, hash_noise(image.shape, 100 + index, 20), 0)
    return np.clip(np.round(image), 0, 4095).astype("<u2").tobytes()


RGB_SIZE = 256
RGB_BARS = (
    (235, 235, 235),
    (235, 235, 16),
    (16, 235, 235),
    (16, 235, 16),
    (235, 16, 235),
    (235, 16, 16),
    (16, 16, 235),
    (16, 16, 16),
)


def rgb_frame() -> bytes:
    """Colour bars over a grey ramp, pixel-interleaved RGB (Planar Configuration 0)."""
    image = np.zeros((RGB_SIZE, RGB_SIZE, 3), dtype=np.uint8)
    width = RGB_SIZE // len(RGB_BARS)
    for number, colour in enumerate(RGB_BARS):
        image[: RGB_SIZE * 2 // 3, number * width : (number + 1) * width] = colour
    ramp = np.linspace(0, 255, RGB_SIZE).round().astype(np.uint8)
    image[RGB_SIZE * 2 // 3 :, :, :] = ramp[np.newaxis, :, np.newaxis]
    return image.tobytes()


US_SIZE = 128
US_FRAMES = 20


def us_frame(index: int) -> bytes:
    """Frame ``index`` of a beating-ring loop in an ultrasound fan, 8 bits."""
    rows, columns = np.mgrid[0:US_SIZE, 0:US_SIZE]
    dx = columns - (US_SIZE - 1) / 2
    dy = rows + 8.0
    angle = np.degrees(np.arctan2(dx, dy))
    fan = (np.abs(angle) <= 40) & (np.hypot(dx, dy) <= US_SIZE + 4)
    image = np.where(fan, 60 + hash_noise(fan.shape, 200 + index, 20), 0)
    phase = 2 * np.pi * index / US_FRAMES
    radius = 24 + 7 * np.sin(phase)
    distance = np.hypot(columns - 64, rows - 70)
    image[fan & (np.abs(distance - radius) <= 4)] = 210
    valve = np.hypot(columns - (64 + radius * np.cos(phase)), rows - 70) <= 3
    image[valve] = 255
    return image.astype(np.uint8).tobytes()


# Datasets ---------------------------------------------------------------------------


def study_dataset(study: StudySpec) -> Dataset:
    """The patient and study attributes every instance of ``study`` shares."""
    ds = Dataset()
    if study.patient.character_set:
        ds.SpecificCharacterSet = study.patient.character_set
    ds.PatientName = study.patient.name
    ds.PatientID = study.patient.patient_id
    ds.PatientBirthDate = study.patient.birth_date
    ds.PatientSex = study.patient.sex
    ds.StudyInstanceUID = make_uid(f"{study.key}/study")
    ds.StudyDate = study.date
    ds.StudyTime = study.time
    ds.StudyDescription = study.description
    ds.AccessionNumber = study.accession_number
    ds.StudyID = study.study_id
    ds.ReferringPhysicianName = study.referring_physician
    ds.InstitutionName = "Zhiva Sample Hospital"
    ds.Manufacturer = "Zhiva"
    ds.ManufacturerModelName = "make_sample_data.py"
    ds.ImageComments = TEXT_NOTE
    return ds


def instance_dataset(
    study: StudySpec,
    *,
    series_key: str,
    series_number: int,
    modality: str,
    description: str,
    sop_class: str,
    number: int,
) -> Dataset:
    """A new instance of one series: study, series and SOP common attributes."""
    ds = study_dataset(study)
    ds.SeriesInstanceUID = make_uid(f"{study.key}/{series_key}")
    ds.SeriesNumber = series_number
    ds.SeriesDate = study.date
    ds.SeriesTime = study.time
    ds.SeriesDescription = description
    ds.Modality = modality
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = make_uid(f"{study.key}/{series_key}/{number}")
    ds.InstanceNumber = number
    ds.ContentDate = study.date
    ds.ContentTime = study.time
    return ds


def set_image(
    ds: Dataset,
    rows: int,
    columns: int,
    *,
    bits: int,
    signed: bool = False,
    photometric: str = "MONOCHROME2",
    samples: int = 1,
) -> None:
    """The Image Pixel module (PS3.3 C.7.6.3) for native pixels of ``bits`` bits."""
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = photometric
    if samples > 1:
        ds.PlanarConfiguration = 0
    ds.Rows = rows
    ds.Columns = columns
    ds.BitsAllocated = 16 if bits > 8 else 8
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 1 if signed else 0
    ds.BurnedInAnnotation = "NO"


def set_axial_geometry(
    ds: Dataset, size: int, spacing: float, z: float, frame_of_reference: str
) -> None:
    """Image Plane module (PS3.3 C.7.6.2): axial, first pixel centre at top left."""
    corner = -(size - 1) / 2 * spacing
    ds.FrameOfReferenceUID = frame_of_reference
    ds.PositionReferenceIndicator = ""
    ds.PatientPosition = "HFS"
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.ImagePositionPatient = [corner, corner, z]
    ds.SliceLocation = z
    ds.PixelSpacing = [spacing, spacing]


def ct_series() -> SampleSeries:
    """40 axial CT slices of the thorax phantom, 5 mm apart."""
    frame_of_reference = make_uid(f"{CT_STUDY.key}/frame-of-reference")
    instances = []
    for index in range(CT_SLICES):
        ds = instance_dataset(
            CT_STUDY,
            series_key="ct",
            series_number=1,
            modality="CT",
            description="Thorax 5.0 mm",
            sop_class=CT_IMAGE_STORAGE,
            number=index + 1,
        )
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.BodyPartExamined = "CHEST"
        ds.KVP = 120
        ds.SliceThickness = CT_THICKNESS
        ds.AcquisitionNumber = 1
        z = CT_FIRST_Z + index * CT_THICKNESS
        set_axial_geometry(ds, CT_SIZE, CT_SPACING, z, frame_of_reference)
        set_image(ds, CT_SIZE, CT_SIZE, bits=16, signed=True)
        # PS3.3 C.11.1: the modality LUT maps stored values to HU.
        ds.RescaleIntercept = CT_INTERCEPT
        ds.RescaleSlope = 1
        ds.RescaleType = "HU"
        ds.WindowCenter = [40, -600]
        ds.WindowWidth = [400, 1500]
        ds.WindowCenterWidthExplanation = ["SOFT TISSUE", "LUNG"]
        ds.PixelData = ct_frame(index)
        instances.append(ds)
    return SampleSeries(tuple(instances))


def rgb_series() -> SampleSeries:
    """One RGB secondary capture: colour bars, in the CT study."""
    ds = instance_dataset(
        CT_STUDY,
        series_key="colour",
        series_number=2,
        modality="OT",
        description="Colour test pattern",
        sop_class=SECONDARY_CAPTURE_IMAGE_STORAGE,
        number=1,
    )
    ds.ConversionType = "WSD"
    set_image(ds, RGB_SIZE, RGB_SIZE, bits=8, photometric="RGB", samples=3)
    ds.PixelData = rgb_frame()
    return SampleSeries((ds,))


def mr_series() -> SampleSeries:
    """Six axial T1-like slices of the head phantom, MONOCHROME2, no rescale."""
    frame_of_reference = make_uid(f"{MR_STUDY.key}/frame-of-reference")
    instances = []
    for index in range(MR_SLICES):
        ds = instance_dataset(
            MR_STUDY,
            series_key="t1",
            series_number=1,
            modality="MR",
            description="T1 SE axial",
            sop_class=MR_IMAGE_STORAGE,
            number=index + 1,
        )
        ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "ND"]
        ds.BodyPartExamined = "HEAD"
        ds.ScanningSequence = "SE"
        ds.SequenceVariant = "NONE"
        ds.MRAcquisitionType = "2D"
        ds.RepetitionTime = 500
        ds.EchoTime = 15
        ds.MagneticFieldStrength = 1.5
        ds.SliceThickness = 5
        ds.SpacingBetweenSlices = MR_GAP
        z = (index - (MR_SLICES - 1) / 2) * MR_GAP
        set_axial_geometry(ds, MR_SIZE, MR_SPACING, z, frame_of_reference)
        set_image(ds, MR_SIZE, MR_SIZE, bits=12)
        ds.WindowCenter = 1000
        ds.WindowWidth = 2000
        ds.PixelData = mr_frame(index)
        instances.append(ds)
    return SampleSeries(tuple(instances))


def us_series() -> SampleSeries:
    """One ultrasound multi-frame: a 20-frame loop at 20 frames per second."""
    ds = instance_dataset(
        US_STUDY,
        series_key="loop",
        series_number=1,
        modality="US",
        description="Cine loop",
        sop_class=US_MULTIFRAME_IMAGE_STORAGE,
        number=1,
    )
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.BodyPartExamined = "HEART"
    set_image(ds, US_SIZE, US_SIZE, bits=8)
    # PS3.3 C.7.6.6: Frame Increment Pointer names Frame Time as the frame step.
    ds.NumberOfFrames = US_FRAMES
    ds.FrameIncrementPointer = FRAME_TIME_TAG
    ds.FrameTime = 50
    ds.CineRate = 20
    ds.RecommendedDisplayFrameRate = 20
    ds.PixelData = b"".join(us_frame(index) for index in range(US_FRAMES))
    return SampleSeries((ds,))


def build_studies() -> tuple[SampleStudy, ...]:
    """The archive's studies, newest first, as pydicom datasets with pixel data."""
    return (
        SampleStudy((us_series(),)),
        SampleStudy((ct_series(), rgb_series())),
        SampleStudy((mr_series(),)),
    )


def frame_count(ds: Dataset) -> int:
    """(0028,0008) Number of Frames, 1 when absent (PS3.3 C.7.6.6)."""
    return int(ds.get("NumberOfFrames", 1) or 1)


def frame_length(ds: Dataset) -> int:
    """Bytes per native frame: rows x columns x samples x bytes per sample."""
    return ds.Rows * ds.Columns * ds.SamplesPerPixel * (ds.BitsAllocated // 8)


def file_meta(ds: Dataset) -> FileMetaDataset:
    """The File Meta Information (PS3.10 7.1) of ``ds`` in Explicit VR Little Endian."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    return meta


# DICOM JSON -------------------------------------------------------------------------


def subset(ds: Dataset, keywords: Sequence[str]) -> Dataset:
    """The elements of ``ds`` named in ``keywords``, where present."""
    result = Dataset()
    for keyword in keywords:
        if keyword in ds:
            result.add(ds[keyword])
    return result


def study_json(study: SampleStudy) -> dict[str, Any]:
    """A study's QIDO-RS answer (PS3.18 10.6.3.3.1), counts included."""
    first = study.series[0].instances[0]
    ds = subset(first, STUDY_KEYWORDS)
    modalities: list[str] = []
    for series in study.series:
        modality = series.instances[0].Modality
        if modality not in modalities:
            modalities.append(modality)
    ds.ModalitiesInStudy = modalities
    ds.NumberOfStudyRelatedSeries = len(study.series)
    ds.NumberOfStudyRelatedInstances = sum(len(s.instances) for s in study.series)
    return ds.to_json_dict()


def series_json(series: SampleSeries) -> dict[str, Any]:
    """A series' QIDO-RS answer, with its number of instances."""
    ds = subset(series.instances[0], SERIES_KEYWORDS)
    ds.NumberOfSeriesRelatedInstances = len(series.instances)
    return ds.to_json_dict()


def instance_json(ds: Dataset) -> dict[str, Any]:
    """An instance's QIDO-RS answer, with the transfer syntax it is served in."""
    result = subset(ds, INSTANCE_KEYWORDS)
    result.AvailableTransferSyntaxUID = ExplicitVRLittleEndian
    return result.to_json_dict()


def metadata_json(ds: Dataset) -> dict[str, Any]:
    """WADO-RS metadata of one instance (PS3.18 10.4): all but the pixel data.

    (0002,0010) Transfer Syntax UID is added, as many servers do, so the viewer
    knows the frames come in Explicit VR Little Endian.
    """
    result = Dataset()
    for element in ds:
        if element.keyword != "PixelData":
            result.add(element)
    return {
        "00020010": {"vr": "UI", "Value": [ExplicitVRLittleEndian]},
        **result.to_json_dict(),
    }


def json_bytes(value: object) -> bytes:
    """JSON as the archive stores it: UTF-8, keys in tag order, indented for diffs."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return (text + "\n").encode("utf-8")


# Writing ----------------------------------------------------------------------------


def archive_files(studies: Sequence[SampleStudy]) -> dict[str, bytes]:
    """Every file of the archive, by path relative to its folder."""
    files: dict[str, bytes] = {}
    index_studies = []
    for study_number, study in enumerate(studies, start=1):
        index_series = []
        for series_number, series in enumerate(study.series, start=1):
            folder = f"{STUDY_FOLDER_PREFIX}{study_number}/series-{series_number}"
            index_instances = []
            for ds in series.instances:
                pixels = f"{folder}/{ds.InstanceNumber:04d}.raw.gz"
                # mtime=0 keeps the gzip header, and so the file, the same each run.
                files[pixels] = gzip.compress(ds.PixelData, compresslevel=9, mtime=0)
                index_instances.append(
                    {
                        "qido": instance_json(ds),
                        "frames": frame_count(ds),
                        "frame_length": frame_length(ds),
                        "pixels": pixels,
                    }
                )
            metadata = f"{folder}/metadata.json"
            files[metadata] = json_bytes([metadata_json(ds) for ds in series.instances])
            index_series.append(
                {
                    "qido": series_json(series),
                    "metadata": metadata,
                    "instances": index_instances,
                }
            )
        index_studies.append({"qido": study_json(study), "series": index_series})

    files[INDEX_NAME] = json_bytes(
        {
            "format": ARCHIVE_FORMAT,
            "version": ARCHIVE_VERSION,
            "note": TEXT_NOTE,
            "transfer_syntax": ExplicitVRLittleEndian,
            "studies": index_studies,
        }
    )
    return files


def write_archive(out: Path, studies: Sequence[SampleStudy]) -> dict[str, bytes]:
    """Replace the archive in ``out`` (its index and study folders only)."""
    files = archive_files(studies)
    out.mkdir(parents=True, exist_ok=True)
    (out / INDEX_NAME).unlink(missing_ok=True)
    for old in out.glob(f"{STUDY_FOLDER_PREFIX}*"):
        shutil.rmtree(old)

    for name, data in sorted(files.items()):
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def write_part10(folder: Path, studies: Sequence[SampleStudy]) -> int:
    """Save every instance as a DICOM file (PS3.10) under ``folder``; return how many."""
    count = 0
    for study_number, study in enumerate(studies, start=1):
        for series_number, series in enumerate(study.series, start=1):
            target = (
                folder / f"{STUDY_FOLDER_PREFIX}{study_number}/series-{series_number}"
            )
            target.mkdir(parents=True, exist_ok=True)
            for ds in series.instances:
                ds.file_meta = file_meta(ds)
                ds.save_as(
                    target / f"{ds.InstanceNumber:04d}.dcm", enforce_file_format=True
                )
                count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make the sample DICOMweb archive.")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="default: %(default)s"
    )
    parser.add_argument(
        "--part10", type=Path, help="also save DICOM files in this folder"
    )
    args = parser.parse_args(argv)

    studies = build_studies()
    files = write_archive(args.out, studies)
    size = sum(len(data) for data in files.values())
    print(f"Wrote {len(files)} files, {size / 1e6:.2f} MB, to {args.out}")
    if args.part10:
        count = write_part10(args.part10, studies)
        print(f"Saved {count} DICOM files in {args.part10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
