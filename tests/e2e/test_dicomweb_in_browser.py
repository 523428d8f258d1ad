"""The DICOMweb client in Pyodide against the real test bed, through each location.

Every call goes through the browser's fetch, CORS and TLS, from the page served by
serve.py to nginx in front of Orthanc. Pixel data is compared with what pydicom
reads from the uploaded files on CPython.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from typing import Any

import pydicom
import pytest

from tests.pacs.testbed import PacsTestBed


def run_python(page: Any, code: str) -> Any:
    """Run ``code`` in the page's Pyodide; its last expression is a JSON string."""
    return json.loads(page.evaluate("code => window.zhivaRunPython(code)", code))


def client_code(base: str, credentials: str) -> str:
    return f"""
from app.browser.fetch_transport import FetchTransport
from app.dicomweb import BasicAuth, BearerToken, DicomwebClient, ServerEndpoints
client = DicomwebClient(
    ServerEndpoints(
        qido_rs={base + "/rs"!r},
        wado_rs={base + "/rs"!r},
        wado_uri={base + "/wado"!r},
        credentials={credentials},
        qido_supports_include_field=True,
    ),
    FetchTransport(),
)
"""


def every_request_type(pacs: PacsTestBed) -> str:
    ct = pacs.data.ct
    multi = pacs.data.multiframe
    return f"""
import hashlib, json
from app.dicomweb import StudyQuery
from app.dicomweb.query import Paging
studies = await client.search_studies(StudyQuery(paging=Paging(limit=5)))
series = await client.search_series({ct.study_uid!r})
instances = await client.search_instances({ct.study_uid!r}, {ct.series_uid!r})
metadata = await client.retrieve_series_metadata({ct.study_uid!r}, {ct.series_uid!r})
frames = await client.retrieve_frames(
    {ct.study_uid!r}, {ct.series_uid!r}, {ct.sop_uids[7]!r}, [1])
several = await client.retrieve_frames(
    {multi.study_uid!r}, {multi.series_uid!r}, {multi.sop_uid!r}, [1, 50, 100])
rendered = await client.retrieve_rendered(
    {ct.study_uid!r}, {ct.series_uid!r}, {ct.sop_uids[0]!r})
part10 = await client.retrieve_instance_uri(
    {ct.study_uid!r}, {ct.series_uid!r}, {ct.sop_uids[0]!r})
rendered_uri = await client.retrieve_rendered_uri(
    {ct.study_uid!r}, {ct.series_uid!r}, {ct.sop_uids[0]!r})
json.dumps({{
    "studies": len(studies),
    "series": [s.series_instance_uid for s in series],
    "instances": len(instances),
    "metadata": len(metadata),
    "frame_sha": hashlib.sha256(frames[0].data).hexdigest(),
    "frame_syntax": frames[0].transfer_syntax_uid,
    "several_sha": [hashlib.sha256(f.data).hexdigest() for f in several],
    "rendered": rendered.media_type,
    "part10_sha": hashlib.sha256(part10).hexdigest(),
    "rendered_uri": rendered_uri.media_type,
}})
"""


def frame_sha(path: Any, index: int = 0) -> str:
    dataset = pydicom.dcmread(path)
    frame_size = dataset.Rows * dataset.Columns * dataset.BitsAllocated // 8
    data = dataset.PixelData[index * frame_size : (index + 1) * frame_size]
    return hashlib.sha256(data).hexdigest()


def access_lines(pacs: PacsTestBed, since: int) -> list[str]:
    return pacs.access_log_path.read_text().splitlines()[since:]


def log_length(pacs: PacsTestBed) -> int:
    return len(pacs.access_log_path.read_text().splitlines())


@pytest.mark.pacs
@pytest.mark.parametrize("location", ["tls-basic", "tls-bearer", "open"])
def test_every_request_type_through_each_location(
    app: Any, pacs: PacsTestBed, location: str
) -> None:
    base, credentials, prefix, auth = {
        "tls-basic": (
            pacs.tls_base,
            f"BasicAuth({pacs.username!r}, {pacs.password!r})",
            "/zhiva/pacs/",
            "basic",
        ),
        "tls-bearer": (
            pacs.bearer_base,
            f"BearerToken({pacs.token!r})",
            "/bearer/pacs/",
            "bearer",
        ),
        "open": (pacs.open_base, "None", "/open/pacs/", "none"),
    }[location]
    start = log_length(pacs)

    result = run_python(app, client_code(base, credentials) + every_request_type(pacs))

    ct = pacs.data.ct
    multi = pacs.data.multiframe
    assert result["studies"] == 5
    assert result["series"] == [ct.series_uid]
    assert result["instances"] == len(ct.sop_uids) == 300
    assert result["metadata"] == 300
    assert result["frame_syntax"] == "1.2.840.10008.1.2.1"
    assert result["frame_sha"] == frame_sha(ct.paths[7])
    assert result["several_sha"] == [frame_sha(multi.path, i) for i in (0, 49, 99)]
    assert result["rendered"] in ("image/jpeg", "image/png")
    assert result["part10_sha"] == hashlib.sha256(ct.paths[0].read_bytes()).hexdigest()
    assert result["rendered_uri"] == "image/jpeg"  # labelled image/png by Orthanc

    # Each request carried this location's credentials and no other kind; the
    # CORS preflights (OPTIONS) carry none, as browsers send them.
    # nginx writes a request's log line after its answer: wait for the last ones.
    for _ in range(50):
        lines = [line for line in access_lines(pacs, start) if prefix in line]
        gets = [line for line in lines if '"GET ' in line]
        if len(gets) >= 9:
            break
        time.sleep(0.1)
    assert len(gets) >= 9
    assert all(f"auth={auth}" in line for line in gets), gets
    assert all(" 200 " in line or " 204 " in line for line in gets), gets
    assert all("auth=none" in line for line in lines if '"OPTIONS ' in line)


@pytest.mark.pacs
def test_credentials_never_reach_another_origin(app: Any, pacs: PacsTestBed) -> None:
    # A RetrieveURL or BulkDataURI may point to another host; the client must not
    # send the Basic credentials of the TLS server to the open one.
    ct = pacs.data.ct
    other = f"{pacs.open_base}/rs/studies/{ct.study_uid}/series/{ct.series_uid}"
    code = client_code(
        pacs.tls_base, f"BasicAuth({pacs.username!r}, {pacs.password!r})"
    )
    code += f"""
import json
data = await client.retrieve_bulk_data(
    {other + "/instances/" + ct.sop_uids[3] + "/frames/1"!r})
json.dumps(len(data))
"""
    start = log_length(pacs)
    assert run_python(app, code) == 512 * 512 * 2
    for _ in range(50):
        lines = [line for line in access_lines(pacs, start) if "/open/pacs/" in line]
        if any('"GET ' in line for line in lines):
            break
        time.sleep(0.1)
    assert lines and all("auth=none" in line for line in lines), lines


@pytest.mark.pacs
def test_wrong_credentials_give_a_sentence_not_a_traceback(
    app: Any, pacs: PacsTestBed
) -> None:
    code = client_code(pacs.tls_base, f"BasicAuth({pacs.username!r}, 'wrong')")
    code += """
import json
from app.dicomweb import DicomwebError
try:
    await client.search_studies()
    outcome = "no error"
except DicomwebError as error:
    outcome = error.user_message()
json.dumps(outcome)
"""
    message = run_python(app, code)
    assert "401" in message
    assert re.search(r"user name|password|token", message)
    assert "Traceback" not in message
