"""Test data for the PACS test bed: made with pydicom and numpy, uploaded to Orthanc.

``load_dataset(folder, orthanc_url)`` writes the generated files under ``folder`` and
uploads them, and pydicom's own test files, with ``POST /instances`` (a few threads,
one keep-alive connection each). It returns a ``LoadedData`` record.

What is uploaded:

- pydicom's test files (``pydicom/data/test_files``, ``*.dcm`` and, recursively,
  files without a suffix that pydicom reads as DICOM). The first file with a given
  SOPInstanceUID keeps its UIDs; a later one (``MR_small_RLE.dcm`` after
  ``MR_small.dcm``, ...) gets a new SOPInstanceUID and SeriesInstanceUID, so each
  variant is stored and is a series of its own. Files Orthanc refuses are listed in
  ``LoadedData.rejected``.
- ``ct``: one study, one series of 300 axial CT slices, 512x512, int16 stored values,
  RescaleSlope 1 / RescaleIntercept -1024, 0.7 mm pixels, 1 mm slices stepping along
  +z, window 40/400, Explicit VR Little Endian, patient ``Müller^Jürgen``.
- ``multiframe``: one Multi-frame Grayscale Byte Secondary Capture object, 100 frames
  of 256x256 MONOCHROME2 8-bit, patient ``Łukasz^Żółć``.
- ``studies``: 400 small studies, one 16x16 instance each, with patients cycling
  through ``PATIENTS`` and varied StudyDate, Modality, AccessionNumber and
  StudyDescription, so QIDO paging has real work to do.

Every generated instance has SpecificCharacterSet ``ISO_IR 192`` (UTF-8). Generated
UIDs are ``2.25.`` UIDs derived from fixed names, so they are the same on every run.

Pixel patterns let a test tell frames apart without decoding a whole image:

- CT slice ``k`` (0-based; InstanceNumber ``k + 1``): rows 0-3, columns 0-15 hold the
  stored value ``1024 + k`` (HU ``k``). See ``ct_pixels(k)``.
- Multi-frame frame ``k`` (0-based): rows 0-3, columns 0-15 hold ``k``. See
  ``multiframe_pixels(k)``.
- Small study ``i``: ``small_pixels(i)``, a ramp offset by ``i``.

Files: ``folder/ct/CT0001.dcm`` ... ``CT0300.dcm``, ``folder/multiframe/MF0001.dcm``,
``folder/studies/ST0001.dcm`` ..., ``folder/pydicom/`` (rewritten duplicates only; the
others are uploaded from pydicom's folder as they are).
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import io
import json
import logging
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pydicom
from pydicom import Dataset, FileMetaDataset, dcmread, dcmwrite
from pydicom.errors import InvalidDicomError
from pydicom.uid import UID, ExplicitVRLittleEndian

log = logging.getLogger(__name__)

CT_SLICES = 300
CT_SIZE = 512
CT_SPACING = 0.7
MF_FRAMES = 100
MF_SIZE = 256
SMALL_STUDIES = 400
UPLOAD_THREADS = 4

CT_IMAGE_STORAGE = UID("1.2.840.10008.5.1.4.1.1.2")
SC_IMAGE_STORAGE = UID("1.2.840.10008.5.1.4.1.1.7")
MF_BYTE_SC_STORAGE = UID("1.2.840.10008.5.1.4.1.1.7.2")
PYDICOM_TEST_FILES = Path(pydicom.__file__).parent / "data" / "test_files"


@dataclass(frozen=True)
class Patient:
    patient_id: str
    name: str
    birth_date: str
    sex: str


# Non-ASCII, spaces inside components, all five components, a component group
# (PS3.5 6.2.1), an empty family name, and no caret at all.
PATIENTS = (
    Patient("ZHV-0001", "Müller^Jürgen", "19600412", "M"),
    Patient("ZHV-0002", "Łukasz^Żółć", "19751103", "M"),
    Patient("ZHV-0003", "Ñúñez^José", "19880720", "M"),
    Patient("ZHV-0004", "van der Berg^Anna Maria", "19920229", "F"),
    Patient("ZHV-0005", "O'Brien^Seán", "19450101", "M"),
    Patient("ZHV-0006", "Dvořák^Antonín", "19710908", "M"),
    Patient("ZHV-0007", "Παπαδοπούλου^Ελένη", "19830517", "F"),
    Patient("ZHV-0008", "Yamada^Hanako=山田^花子", "19990630", "F"),
    Patient("ZHV-0009", "Doe^Jane", "19800101", "F"),
    Patient("ZHV-0010", "Smith^John^Quincy^Dr.^Jr.", "19551224", "M"),
    Patient("ZHV-0011", "Nguyễn^Văn An", "20010214", "M"),
    Patient("ZHV-0012", "García-López^María José", "19670311", "F"),
    Patient("ZHV-0013", "Øster^Åse", "19931010", "F"),
    Patient("ZHV-0014", "^Cher", "19460520", "F"),
    Patient("ZHV-0015", "Anonymous", "", "O"),
    Patient("ZHV-0016", "Brown^Charlie", "20100704", "M"),
)
CT_PATIENT = PATIENTS[0]
MF_PATIENT = PATIENTS[1]
MODALITIES = ("CT", "MR", "CR", "DX", "US", "MG", "PT", "NM", "XA")
DESCRIPTIONS = (
    "Chest PA and lateral",
    "Head without contrast",
    "Knee left",
    "Abdomen and pelvis",
    "Lumbar spine",
    "Screening mammography",
    "Whole body",
)


@dataclass(frozen=True)
class SeriesData:
    """The CT series: SOP instance UIDs and files in slice order (InstanceNumber)."""

    study_uid: str
    series_uid: str
    sop_uids: tuple[str, ...]
    paths: tuple[Path, ...]
    patient: Patient
    rows: int
    columns: int


@dataclass(frozen=True)
class MultiFrameData:
    study_uid: str
    series_uid: str
    sop_uid: str
    path: Path
    patient: Patient
    number_of_frames: int
    rows: int
    columns: int


@dataclass(frozen=True)
class SmallStudy:
    study_uid: str
    series_uid: str
    sop_uid: str
    path: Path
    patient: Patient
    study_date: str
    modality: str
    accession_number: str
    description: str


@dataclass(frozen=True)
class PydicomFile:
    """One pydicom test file that Orthanc stored."""

    name: str  # path inside pydicom's test_files folder
    path: Path  # the file as uploaded (a rewritten copy if renamed)
    study_uid: str
    series_uid: str
    sop_uid: str
    sop_class_uid: str
    transfer_syntax_uid: str  # "" when the file has no meta header
    number_of_frames: int
    renamed: bool  # new SOP/Series UIDs because the SOPInstanceUID was taken


@dataclass(frozen=True)
class RejectedFile:
    name: str
    status: int  # HTTP status from Orthanc; 0 if pydicom could not read it
    reason: str


@dataclass(frozen=True)
class LoadedData:
    """What the test bed holds after ``load_dataset``."""

    ct: SeriesData
    multiframe: MultiFrameData
    studies: tuple[SmallStudy, ...]
    pydicom_files: tuple[PydicomFile, ...]
    rejected: tuple[RejectedFile, ...]
    patients: tuple[Patient, ...]
    instance_count: int  # as counted by Orthanc's /statistics afterwards
    series_count: int
    study_count: int
    patient_count: int
    uploaded_bytes: int
    generate_seconds: float
    total_seconds: float

    @property
    def patient_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.patients)


def uid(name: str) -> str:
    """A ``2.25.`` UID from a name-based UUID (PS3.5 B.2), the same on every run."""
    # pydicom's generate_uid(prefix=None) ignores its entropy and is random.
    return f"2.25.{uuid.uuid5(uuid.NAMESPACE_OID, f'zhiva-test-bed/{name}').int}"


# -- pixel patterns -------------------------------------------------------------------

_CT_AXIS = (np.arange(CT_SIZE) - (CT_SIZE - 1) / 2) * CT_SPACING  # mm from centre
_CT_X = _CT_AXIS[np.newaxis, :]
_CT_Y = _CT_AXIS[:, np.newaxis]
_CT_BODY = (_CT_X / 170.0) ** 2 + (_CT_Y / 130.0) ** 2 <= 1.0
_CT_SPINE = _CT_X**2 + (_CT_Y - 80.0) ** 2 <= 18.0**2
_CT_LESION_R2 = (_CT_X + 60.0) ** 2 + (_CT_Y + 20.0) ** 2
# Outside the reconstruction circle scanners store a padding value (0028,0120).
_CT_OUTSIDE_FOV = _CT_X**2 + _CT_Y**2 > (CT_SIZE / 2 * CT_SPACING) ** 2
CT_PADDING = -2000


def ct_z(k: int) -> float:
    """z of slice ``k`` in mm; slices step by +1 mm."""
    return -149.5 + k


def ct_pixels(k: int) -> np.ndarray:
    """Stored values (int16) of CT slice ``k``: HU + 1024 of a simple phantom."""
    z = ct_z(k)
    texture = (
        30.0
        * np.sin(2 * np.pi * (_CT_X + 3.0 * k) / 40.0)
        * np.cos(2 * np.pi * _CT_Y / 55.0)
    )
    hu = np.where(_CT_BODY, 40.0 + texture, -1000.0)
    hu[_CT_SPINE] = 700.0
    lesion_r2 = 60.0**2 - z**2  # a sphere of radius 60 mm centred at z = 0
    if lesion_r2 > 0:
        hu[lesion_r2 >= _CT_LESION_R2] = 120.0
    stored = np.rint(hu).astype(np.int16) + 1024
    stored[_CT_OUTSIDE_FOV] = CT_PADDING
    stored[0:4, 0:16] = 1024 + k
    return stored


def multiframe_pixels(k: int) -> np.ndarray:
    """Frame ``k`` (uint8) of the multi-frame object: a disc circling on a ramp."""
    rows = np.arange(MF_SIZE)[:, np.newaxis]
    cols = np.arange(MF_SIZE)[np.newaxis, :]
    frame = np.broadcast_to((rows // 2).astype(np.uint8), (MF_SIZE, MF_SIZE)).copy()
    angle = 2 * np.pi * k / MF_FRAMES
    cy, cx = 128 + 70 * np.sin(angle), 128 + 70 * np.cos(angle)
    frame[(rows - cy) ** 2 + (cols - cx) ** 2 <= 30**2] = 220
    frame[0:4, 0:16] = k
    return frame


def small_pixels(i: int) -> np.ndarray:
    return ((np.arange(256) + i) % 256).astype(np.uint8).reshape(16, 16)


# -- datasets -------------------------------------------------------------------------


def _new_dataset(
    sop_class: UID, sop: str, study: str, series: str, patient: Patient
) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop
    meta.TransferSyntaxUID = ExplicitVRLittleEndian

    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = sop
    ds.StudyInstanceUID = study
    ds.SeriesInstanceUID = series
    ds.PatientName = patient.name
    ds.PatientID = patient.patient_id
    ds.PatientBirthDate = patient.birth_date
    ds.PatientSex = patient.sex
    ds.ReferringPhysicianName = "House^Gregory"
    ds.Manufacturer = "Zhiva test bed"
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    return ds


def _set_image(ds: Dataset, pixels: np.ndarray, frames: int = 1) -> None:
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = pixels.shape[-2:]
    ds.BitsAllocated = pixels.dtype.itemsize * 8
    ds.BitsStored = ds.BitsAllocated
    ds.HighBit = ds.BitsAllocated - 1
    ds.PixelRepresentation = 1 if pixels.dtype.kind == "i" else 0
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.PixelData = pixels.astype(pixels.dtype.newbyteorder("<")).tobytes()


def _encode(ds: Dataset) -> bytes:
    buffer = io.BytesIO()
    dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def _ct_slice(k: int, study: str, series: str, frame_of_reference: str) -> Dataset:
    ds = _new_dataset(CT_IMAGE_STORAGE, uid(f"ct-sop-{k}"), study, series, CT_PATIENT)
    ds.Modality = "CT"
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = "20240315"
    ds.StudyTime = ds.SeriesTime = "101500"
    ds.ContentTime = f"1016{k // 60:02d}.{k % 60:02d}"
    ds.AccessionNumber = "CT-PHANTOM-1"
    ds.StudyID = "1"
    ds.StudyDescription = "Synthetic CT phantom"
    ds.SeriesDescription = "Axial 1 mm"
    ds.BodyPartExamined = "CHEST"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.InstanceNumber = k + 1
    ds.FrameOfReferenceUID = frame_of_reference
    ds.PositionReferenceIndicator = ""
    ds.PatientPosition = "HFS"
    start = round(float(_CT_AXIS[0]), 4)
    ds.ImagePositionPatient = [start, start, ct_z(k)]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.SliceLocation = ct_z(k)
    ds.PixelSpacing = [CT_SPACING, CT_SPACING]
    ds.SliceThickness = 1.0
    ds.KVP = 120
    ds.RescaleIntercept = -1024
    ds.RescaleSlope = 1
    ds.RescaleType = "HU"
    ds.WindowCenter = 40
    ds.WindowWidth = 400
    ds.WindowCenterWidthExplanation = "SOFT TISSUE"
    _set_image(ds, ct_pixels(k))
    # (0028,0120) Pixel Padding Value is SS because PixelRepresentation is 1.
    ds.add_new(0x00280120, "SS", CT_PADDING)
    return ds


def _multiframe(study: str, series: str, sop: str) -> Dataset:
    ds = _new_dataset(MF_BYTE_SC_STORAGE, sop, study, series, MF_PATIENT)
    ds.Modality = "OT"
    ds.ConversionType = "WSD"
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = "20231107"
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = "143000"
    ds.AccessionNumber = "MF-CINE-1"
    ds.StudyID = "1"
    ds.StudyDescription = "Synthetic cine"
    ds.SeriesDescription = "100 frames"
    ds.FrameTime = 40.0
    ds.CineRate = 25
    ds.FrameIncrementPointer = 0x00181063  # (0018,1063) Frame Time
    frames = np.stack([multiframe_pixels(k) for k in range(MF_FRAMES)])
    _set_image(ds, frames, frames=MF_FRAMES)
    return ds


def _small_study(i: int, folder: Path) -> tuple[SmallStudy, Dataset]:
    patient = PATIENTS[i % len(PATIENTS)]
    day = datetime.date(2015, 1, 1) + datetime.timedelta(days=9 * i)
    study = SmallStudy(
        study_uid=uid(f"small-study-{i}"),
        series_uid=uid(f"small-series-{i}"),
        sop_uid=uid(f"small-sop-{i}"),
        path=folder / f"ST{i + 1:04d}.dcm",
        patient=patient,
        study_date=day.strftime("%Y%m%d"),
        modality=MODALITIES[i % len(MODALITIES)],
        accession_number=f"ACC{i + 1:06d}",
        description=f"{DESCRIPTIONS[i % len(DESCRIPTIONS)]} #{i + 1}",
    )
    ds = _new_dataset(
        SC_IMAGE_STORAGE, study.sop_uid, study.study_uid, study.series_uid, patient
    )
    ds.Modality = study.modality
    ds.ConversionType = "WSD"
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = study.study_date
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = (
        f"{8 + i % 10:02d}{i * 7 % 60:02d}00"
    )
    ds.AccessionNumber = study.accession_number
    ds.StudyID = str(i + 1)
    ds.StudyDescription = study.description
    ds.SeriesDescription = f"{study.modality} series"
    _set_image(ds, small_pixels(i))
    return study, ds


# -- pydicom's test files -------------------------------------------------------------


def _pydicom_candidates() -> Iterator[tuple[str, Path, Dataset | None, str]]:
    """Yield (name, path, dataset or None, error) for each test file worth trying."""
    with _quiet_pydicom():
        yield from _read_pydicom_files()


@contextlib.contextmanager
def _quiet_pydicom() -> Iterator[None]:
    """Silence pydicom: many test files are broken on purpose and it warns a lot."""
    logger = logging.getLogger("pydicom")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _read_pydicom_files() -> Iterator[tuple[str, Path, Dataset | None, str]]:
    for path in sorted(PYDICOM_TEST_FILES.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in (".dcm", ""):
            continue
        name = path.relative_to(PYDICOM_TEST_FILES).as_posix()
        try:
            # Suffix-less files must look like DICOM (preamble + DICM); `.dcm` files
            # are DICOM by intent, some on purpose without a meta header.
            yield name, path, dcmread(path, force=path.suffix != ""), ""
        except InvalidDicomError:
            continue
        except Exception as error:  # pydicom raises many kinds on broken files
            yield name, path, None, f"pydicom could not read it: {error}"


def _pydicom_record(name: str, path: Path, ds: Dataset, renamed: bool) -> PydicomFile:
    with _quiet_pydicom():
        return _make_pydicom_record(name, path, ds, renamed)


def _make_pydicom_record(
    name: str, path: Path, ds: Dataset, renamed: bool
) -> PydicomFile:
    meta = getattr(ds, "file_meta", None)
    syntax = str(getattr(meta, "TransferSyntaxUID", "") or "")
    return PydicomFile(
        name=name,
        path=path,
        study_uid=str(ds.get("StudyInstanceUID", "")),
        series_uid=str(ds.get("SeriesInstanceUID", "")),
        sop_uid=str(ds.get("SOPInstanceUID", "")),
        sop_class_uid=str(ds.get("SOPClassUID", "")),
        transfer_syntax_uid=syntax,
        number_of_frames=_frames(ds),
        renamed=renamed,
    )


def _frames(ds: Dataset) -> int:
    try:
        return int(ds.get("NumberOfFrames", 1) or 1)
    except ValueError:  # badVR.dcm has NumberOfFrames "1A" on purpose
        return 1


def _rename(name: str, ds: Dataset) -> bytes:
    """Give a duplicate its own SOP instance and series, keeping its encoding."""
    ds.SOPInstanceUID = uid(f"pydicom-sop-{name}")
    ds.SeriesInstanceUID = uid(f"pydicom-series-{name}")
    if getattr(ds, "file_meta", None) is not None and "MediaStorageSOPInstanceUID" in (
        ds.file_meta
    ):
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    buffer = io.BytesIO()
    ds.save_as(buffer)
    return buffer.getvalue()


# -- upload ---------------------------------------------------------------------------


class _Uploader:
    """POST /instances from a few threads, each on its own keep-alive connection."""

    def __init__(self, orthanc_url: str, threads: int = UPLOAD_THREADS) -> None:
        parts = urlsplit(orthanc_url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port
        self._local = threading.local()
        self._connections: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="pacs-upload")
        self._generated: list[tuple[str, Future[tuple[int, str]]]] = []
        self.bytes = 0

    @property
    def generated_count(self) -> int:
        return len(self._generated)

    def submit(self, body: bytes) -> Future[tuple[int, str]]:
        self.bytes += len(body)
        return self._pool.submit(self._post, body)

    def submit_generated(self, name: str, path: Path, ds: Dataset) -> None:
        """Write a generated instance to ``path`` and upload it."""
        body = _encode(ds)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        self._generated.append((name, self.submit(body)))

    def raise_for_generated(self) -> None:
        """Wait for the generated uploads; each must be stored."""
        for name, future in self._generated:
            reason = _orthanc_status(*future.result())
            if reason:
                raise RuntimeError(f"Orthanc did not store {name}: {reason}")

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for conn in self._connections:
            conn.close()

    def _post(self, body: bytes) -> tuple[int, str]:
        headers = {"Content-Type": "application/dicom"}
        for attempt in (1, 2):
            conn = self._connection(fresh=attempt > 1)
            try:
                conn.request("POST", "/instances", body=body, headers=headers)
                answer = conn.getresponse()
                return answer.status, answer.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException):
                conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _connection(self, fresh: bool) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None or fresh:
            conn = http.client.HTTPConnection(self._host, self._port, timeout=120)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn


def _orthanc_status(status: int, text: str) -> str:
    """'' if Orthanc stored a new instance, else why not."""
    try:
        answer = json.loads(text)
    except ValueError:
        answer = None
    if status == 200 and isinstance(answer, dict):
        if answer.get("Status") == "Success":
            return ""
        return f"Orthanc said {answer.get('Status')!r}"
    if isinstance(answer, dict):
        details = answer.get("Details") or answer.get("Message") or text
        return f"{answer.get('Message', '')}: {details}".strip(": ")
    return text.strip()[:200]


def _statistics(orthanc_url: str) -> dict[str, int]:
    parts = urlsplit(orthanc_url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    try:
        conn.request("GET", "/statistics")
        answer = conn.getresponse()
        return dict(json.loads(answer.read()))
    finally:
        conn.close()


# -- the whole load -------------------------------------------------------------------


def load_dataset(folder: Path, orthanc_url: str) -> LoadedData:
    """Generate the test data under ``folder`` and upload it to Orthanc."""
    began = time.monotonic()
    uploader = _Uploader(orthanc_url)
    try:
        # pydicom's files first: their answers decide what is listed as rejected.
        pydicom_jobs, rejected = _submit_pydicom_files(folder / "pydicom", uploader)
        mf = _submit_multiframe(folder / "multiframe", uploader)
        ct = _submit_ct(folder / "ct", uploader)
        studies = _submit_small_studies(folder / "studies", uploader)
        generate_seconds = time.monotonic() - began
        stored = _collect_pydicom_results(pydicom_jobs, rejected)
        uploader.raise_for_generated()
    finally:
        uploader.close()

    stats = _statistics(orthanc_url)
    expected = len(stored) + uploader.generated_count
    if stats["CountInstances"] != expected:
        raise RuntimeError(
            f"Orthanc holds {stats['CountInstances']} instances after the upload, but "
            f"{expected} were stored; was it empty at the start?"
        )
    data = LoadedData(
        ct=ct,
        multiframe=mf,
        studies=studies,
        pydicom_files=stored,
        rejected=tuple(rejected),
        patients=PATIENTS,
        instance_count=stats["CountInstances"],
        series_count=stats["CountSeries"],
        study_count=stats["CountStudies"],
        patient_count=stats["CountPatients"],
        uploaded_bytes=uploader.bytes,
        generate_seconds=generate_seconds,
        total_seconds=time.monotonic() - began,
    )
    print(describe(data))
    return data


def _submit_multiframe(folder: Path, uploader: _Uploader) -> MultiFrameData:
    study, series, sop = uid("mf-study"), uid("mf-series"), uid("mf-sop")
    path = folder / "MF0001.dcm"
    uploader.submit_generated(
        "the multi-frame object", path, _multiframe(study, series, sop)
    )
    return MultiFrameData(
        study, series, sop, path, MF_PATIENT, MF_FRAMES, MF_SIZE, MF_SIZE
    )


def _submit_ct(folder: Path, uploader: _Uploader) -> SeriesData:
    study, series, frame_of_reference = uid("ct-study"), uid("ct-series"), uid("ct-for")
    paths = tuple(folder / f"CT{k + 1:04d}.dcm" for k in range(CT_SLICES))
    for k, path in enumerate(paths):
        ds = _ct_slice(k, study, series, frame_of_reference)
        uploader.submit_generated(f"CT slice {k}", path, ds)
    sops = tuple(uid(f"ct-sop-{k}") for k in range(CT_SLICES))
    return SeriesData(study, series, sops, paths, CT_PATIENT, CT_SIZE, CT_SIZE)


def _submit_small_studies(folder: Path, uploader: _Uploader) -> tuple[SmallStudy, ...]:
    studies = []
    for i in range(SMALL_STUDIES):
        study, ds = _small_study(i, folder)
        uploader.submit_generated(f"small study {i}", study.path, ds)
        studies.append(study)
    return tuple(studies)


_PydicomJob = tuple[str, Path, Dataset, bool, Future[tuple[int, str]]]


def _submit_pydicom_files(
    folder: Path, uploader: _Uploader
) -> tuple[list[_PydicomJob], list[RejectedFile]]:
    folder.mkdir(parents=True, exist_ok=True)
    jobs: list[_PydicomJob] = []
    rejected = []
    seen: set[str] = set()
    for name, path, ds, error in _pydicom_candidates():
        if ds is None:
            rejected.append(RejectedFile(name, 0, error))
            continue
        sop = str(ds.get("SOPInstanceUID", ""))
        renamed = bool(sop) and sop in seen
        if renamed:
            path = folder / name.replace("/", "__")
            path.write_bytes(_rename(name, ds))
        seen.add(str(ds.get("SOPInstanceUID", "")))
        jobs.append((name, path, ds, renamed, uploader.submit(path.read_bytes())))
    return jobs, rejected


def _collect_pydicom_results(
    jobs: list[_PydicomJob], rejected: list[RejectedFile]
) -> tuple[PydicomFile, ...]:
    """Wait for pydicom's files; list the refused ones in ``rejected``."""
    stored = []
    for name, path, ds, renamed, future in jobs:
        status, text = future.result()
        reason = _orthanc_status(status, text)
        if reason:
            rejected.append(RejectedFile(name, status, reason))
        else:
            stored.append(_pydicom_record(name, path, ds, renamed))
    return tuple(stored)


def describe(data: LoadedData) -> str:
    """One line for the test log: what was loaded and how long it took."""
    return (
        f"PACS test data: {data.instance_count} instances in {data.study_count} "
        f"studies ({data.uploaded_bytes / 1e6:.0f} MB, {len(data.pydicom_files)} "
        f"pydicom files, {len(data.rejected)} rejected); generated in "
        f"{data.generate_seconds:.1f} s, uploaded by {data.total_seconds:.1f} s "
        f"({UPLOAD_THREADS} threads)"
    )
