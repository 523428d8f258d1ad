"""Record real answers of the PACS test bed into tests/data/orthanc/.

The unit tests of the DICOMweb client's parsers read these files, so they test
against what Orthanc 1.10 (DICOMweb plugin 1.7) behind nginx really sends. Every
request goes through the TLS + Basic Auth location, as the viewer's would.

    .venv/bin/python scripts/record_pacs_answers.py

Starts the test bed (about 5 s), records, stops it. ``index.json`` lists each file
with the request that produced it. Answers name the test bed's port of the day, so a
new recording changes URLs and dates but not UIDs (the test data's UIDs are fixed).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pacs.testbed import HttpAnswer, PacsTestBed  # noqa: E402

OUT = ROOT / "tests" / "data" / "orthanc"
DICOM_JSON = "application/dicom+json"
# The stored syntax, as a viewer asks (PS3.18 8.7.3.5.2); Orthanc wants one type.
FRAMES = 'multipart/related; type="application/octet-stream"; transfer-syntax=*'
MAGIC_BYTES = 32


class Recorder:
    def __init__(self, bed: PacsTestBed) -> None:
        self.bed = bed
        self.index: dict[str, Any] = {}

    def get(self, path: str, accept: str | None) -> tuple[str, HttpAnswer]:
        headers = {"Authorization": self.bed.basic_authorization}
        if accept:
            headers["Accept"] = accept
        url = self.bed.tls_base + path
        answer = self.bed.request(url, headers=headers)
        if answer.status != 200:
            raise SystemExit(
                f"GET {url} answered {answer.status}: {answer.body[:300]!r}"
            )
        return url, answer

    def note(
        self, name: str, what: str, url: str, accept: str | None, answer: HttpAnswer
    ):
        self.index[name] = {
            "what": what,
            "request": {"method": "GET", "url": url, "accept": accept},
            "status": answer.status,
            "content_type": answer.header("Content-Type"),
            "length": len(answer.body),
        }

    def body(self, name: str, what: str, path: str, accept: str | None) -> HttpAnswer:
        """Store the body as it came, with the headers in ``name.headers.json``."""
        url, answer = self.get(path, accept)
        (OUT / name).write_bytes(answer.body)
        sidecar = {
            "status": answer.status,
            "request": {"method": "GET", "url": url, "accept": accept},
            "headers": [list(pair) for pair in answer.headers],
        }
        _write_json(OUT / f"{name}.headers.json", sidecar)
        self.note(name, what, url, accept, answer)
        return answer

    def trimmed_json(
        self, name: str, what: str, path: str, keep: int, accept: str = DICOM_JSON
    ) -> None:
        """Store the first ``keep`` items of a JSON array answer."""
        url, answer = self.get(path, accept)
        items = answer.json()[:keep]
        _write_json(OUT / name, items)
        self.note(name, what, url, accept, answer)
        self.index[name]["kept_items"] = len(items)

    def head(self, name: str, what: str, path: str, accept: str | None) -> None:
        """Store only the content type and the first bytes of an image answer."""
        url, answer = self.get(path, accept)
        summary = {
            "status": answer.status,
            "request": {"method": "GET", "url": url, "accept": accept},
            "headers": [list(pair) for pair in answer.headers],
            "length": len(answer.body),
            "first_bytes_hex": answer.body[:MAGIC_BYTES].hex(),
        }
        _write_json(OUT / name, summary)
        self.note(name, what, url, accept, answer)


_STRING = r'"(?:[^"\\]|\\.)*"'
_PAIR = re.compile(rf"\[\s+({_STRING}),\s+({_STRING})\s+\]")


def _write_json(path: Path, value: Any) -> None:
    text = json.dumps(value, indent=1, ensure_ascii=False)
    # One header per line: ["Name", "value"].
    path.write_text(_PAIR.sub(r"[\1, \2]", text) + "\n")


def record(bed: PacsTestBed) -> dict[str, Any]:
    data = bed.data
    assert data is not None
    ct, mf = data.ct, data.multiframe
    ct_small = next(f for f in data.pydicom_files if f.name == "CT_small.dcm")
    mr = next(f for f in data.pydicom_files if f.name == "MR_small.dcm")
    jpeg = next(f for f in data.pydicom_files if f.name == "SC_rgb_jpeg_dcmtk.dcm")
    rec = Recorder(bed)

    def instance(study: str, series: str, sop: str) -> str:
        return f"/rs/studies/{study}/series/{series}/instances/{sop}"

    rec.body(
        "qido_studies.json",
        "QIDO-RS studies of Jan-Feb 2015: 7 patients, most with non-ASCII names",
        "/rs/studies?StudyDate=20150101-20150228&includefield=StudyDescription",
        DICOM_JSON,
    )
    rec.body(
        "qido_series.json",
        "QIDO-RS series of pydicom's MR_small study: one series per file variant",
        f"/rs/studies/{mr.study_uid}/series",
        DICOM_JSON,
    )
    rec.body(
        "qido_instances.json",
        "QIDO-RS instances of the synthetic CT series, limit=5",
        f"/rs/studies/{ct.study_uid}/series/{ct.series_uid}/instances?limit=5",
        DICOM_JSON,
    )
    rec.trimmed_json(
        "study_metadata.json",
        "WADO-RS metadata of the synthetic CT study (300 instances), first 3 kept",
        f"/rs/studies/{ct.study_uid}/metadata",
        keep=3,
    )
    rec.body(
        "frames_ct_small.multipart",
        "frame 1 of pydicom's CT_small.dcm (128x128 int16, Explicit VR LE)",
        instance(ct_small.study_uid, ct_small.series_uid, ct_small.sop_uid)
        + "/frames/1",
        FRAMES,
    )
    rec.body(
        "frames_multiframe_1_50_100.multipart",
        "frames 1, 50 and 100 of the synthetic multi-frame object (256x256 uint8)",
        instance(mf.study_uid, mf.series_uid, mf.sop_uid) + "/frames/1,50,100",
        FRAMES,
    )
    rec.body(
        "frames_jpeg_baseline.multipart",
        "frame 1 of pydicom's SC_rgb_jpeg_dcmtk.dcm in its stored syntax (image/jpeg)",
        instance(jpeg.study_uid, jpeg.series_uid, jpeg.sop_uid) + "/frames/1",
        FRAMES,
    )
    ct_mid = instance(ct.study_uid, ct.series_uid, ct.sop_uids[150])
    rec.head(
        "rendered_ct.json",
        "WADO-RS rendered CT slice 150 (index 150, InstanceNumber 151) as JPEG",
        ct_mid + "/rendered",
        "image/jpeg",
    )
    uids = f"studyUID={ct.study_uid}&seriesUID={ct.series_uid}&objectUID={ct.sop_uids[150]}"
    rec.head(
        "wado_uri_rendered.json",
        "WADO-URI CT slice 150 with contentType=image/jpeg (Orthanc labels it PNG)",
        f"/wado?requestType=WADO&{uids}&contentType=image/jpeg",
        None,
    )

    return {
        "recorded_with": _versions(bed),
        "base": bed.tls_base,
        "uids": {
            "ct": {"study": ct.study_uid, "series": ct.series_uid},
            "multiframe": {
                "study": mf.study_uid,
                "series": mf.series_uid,
                "sop": mf.sop_uid,
            },
            "ct_small": {
                "study": ct_small.study_uid,
                "series": ct_small.series_uid,
                "sop": ct_small.sop_uid,
            },
        },
        "files": rec.index,
    }


def _versions(bed: PacsTestBed) -> dict[str, str]:
    system = bed.request(f"{bed.orthanc_url}/system").json()
    plugin = bed.request(f"{bed.orthanc_url}/plugins/dicom-web").json()
    return {"orthanc": system["Version"], "dicomweb_plugin": plugin["Version"]}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with PacsTestBed() as bed:
        index = record(bed)
    _write_json(OUT / "index.json", index)
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"Recorded {len(index['files'])} answers into {OUT} ({total / 1024:.0f} KB).")


if __name__ == "__main__":
    main()
