"""The PACS test bed works as the other tests assume: real Orthanc, real nginx, real TLS."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread

from tests.pacs.testbed import HttpAnswer, PacsTestBed, PacsTestBedError, http_request

pytestmark = pytest.mark.pacs

ORIGIN = "http://127.0.0.1:8000"  # a viewer page on another loopback origin
OCTETS = 'multipart/related; type="application/octet-stream"; transfer-syntax=*'
LOCATIONS = ("basic", "bearer", "open")
EXPOSED = ("Content-Type", "Content-Length", "Content-Location", "WWW-Authenticate")


def base_of(pacs: PacsTestBed, kind: str) -> str:
    bases = {"basic": pacs.tls_base, "bearer": pacs.bearer_base, "open": pacs.open_base}
    return bases[kind]


def auth_of(pacs: PacsTestBed, kind: str) -> dict[str, str]:
    values = {"basic": pacs.basic_authorization, "bearer": pacs.bearer_authorization}
    return {"Authorization": values[kind]} if kind in values else {}


def get(pacs: PacsTestBed, kind: str, path: str, **headers: str) -> HttpAnswer:
    """GET base/path with the location's right credentials and a CORS Origin."""
    all_headers = {"Origin": ORIGIN, **auth_of(pacs, kind), **headers}
    return pacs.request(base_of(pacs, kind) + path, headers=all_headers)


def multipart_parts(answer: HttpAnswer) -> list[tuple[dict[str, str], bytes]]:
    """Split a multipart/related body (RFC 2046 5.1) into (headers, content) parts."""
    content_type = answer.header("Content-Type") or ""
    params = dict(
        p.strip().split("=", 1) for p in content_type.split(";")[1:] if "=" in p
    )
    delimiter = b"--" + params["boundary"].strip('"').encode()
    sections = answer.body.split(delimiter)
    assert sections[0] == b"", "the body should start with the first delimiter"
    assert sections[-1].startswith(b"--"), (
        "the body should end with the close delimiter"
    )
    parts = []
    for section in sections[1:-1]:
        head, _, content = section.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        lines = head.decode("ascii").split("\r\n")
        headers = {k.strip(): v.strip() for k, v in (x.split(":", 1) for x in lines)}
        parts.append((headers, content.removesuffix(b"\r\n")))
    return parts


def first(item: dict, tag: str) -> str:
    """The first value of a DICOM JSON attribute; Orthanc leaves out empty ones."""
    return str(item.get(tag, {}).get("Value", [""])[0])


def frame_path(study: str, series: str, sop: str, frames: str) -> str:
    return f"/rs/studies/{study}/series/{series}/instances/{sop}/frames/{frames}"


# -- authentication and CORS ----------------------------------------------------------


@pytest.mark.parametrize("kind", LOCATIONS)
def test_qido_answers_with_the_right_credentials(pacs: PacsTestBed, kind: str) -> None:
    answer = get(pacs, kind, "/rs/studies?limit=5", Accept="application/dicom+json")

    assert answer.status == 200
    assert answer.header("Content-Type") == "application/dicom+json"
    assert len(answer.json()) == 5
    assert answer.header("Access-Control-Allow-Origin") == ORIGIN
    exposed = answer.header("Access-Control-Expose-Headers") or ""
    assert all(name in exposed for name in EXPOSED)


def bad_credentials(pacs: PacsTestBed, case: str) -> dict[str, str]:
    basic_wrong = base64.b64encode(f"{pacs.username}:{pacs.password}x".encode())
    values = {
        "missing": None,
        "wrong password": "Basic " + basic_wrong.decode(),
        "wrong token": f"Bearer {pacs.token[:-1]}",
        "token in other case": f"Bearer {pacs.token.swapcase()}",
        "basic on bearer": pacs.basic_authorization,
        "bearer on basic": pacs.bearer_authorization,
    }
    value = values[case]
    return {} if value is None else {"Authorization": value}


@pytest.mark.parametrize(
    ("kind", "case"),
    [
        ("basic", "missing"),
        ("basic", "wrong password"),
        ("basic", "bearer on basic"),
        ("bearer", "missing"),
        ("bearer", "wrong token"),
        ("bearer", "token in other case"),
        ("bearer", "basic on bearer"),
    ],
)
@pytest.mark.parametrize("service", ["/rs/studies?limit=1", "/wado?requestType=WADO"])
def test_wrong_or_missing_credentials_get_401(
    pacs: PacsTestBed, kind: str, case: str, service: str
) -> None:
    headers = {"Origin": ORIGIN, **bad_credentials(pacs, case)}
    answer = pacs.request(base_of(pacs, kind) + service, headers=headers)

    assert answer.status == 401
    scheme = {"basic": "Basic", "bearer": "Bearer"}[kind]
    assert (answer.header("WWW-Authenticate") or "").startswith(f"{scheme} realm=")
    # CORS headers come with errors too, or a page could not read the 401.
    assert answer.header("Access-Control-Allow-Origin") == ORIGIN
    assert b"00081190" not in answer.body


@pytest.mark.parametrize("kind", LOCATIONS)
@pytest.mark.parametrize("service", ["/rs/studies", "/wado"])
def test_preflight_is_204_with_cors_headers_and_no_auth(
    pacs: PacsTestBed, kind: str, service: str
) -> None:
    headers = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization,accept",
    }
    answer = pacs.request(
        base_of(pacs, kind) + service, method="OPTIONS", headers=headers
    )

    assert answer.status == 204
    assert answer.header("Access-Control-Allow-Origin") == ORIGIN
    allowed = (answer.header("Access-Control-Allow-Headers") or "").lower()
    assert {"authorization", "accept", "content-type"} <= {
        h.strip() for h in allowed.split(",")
    }
    assert "GET" in (answer.header("Access-Control-Allow-Methods") or "")
    assert int(answer.header("Access-Control-Max-Age") or 0) > 0
    assert answer.header("WWW-Authenticate") is None


def test_certificate_is_checked_against_the_generated_ca(pacs: PacsTestBed) -> None:
    url = f"{pacs.tls_base}/rs/studies?limit=1"
    untrusting = ssl.create_default_context()  # the system's CAs only
    with pytest.raises(ssl.SSLCertVerificationError):
        http_request(url, context=untrusting)

    # The certificate names both localhost and 127.0.0.1.
    by_name = url.replace("127.0.0.1", "localhost")
    headers = auth_of(pacs, "basic")
    answer = http_request(by_name, headers=headers, context=pacs.ssl_context())
    assert answer.status == 200


def test_access_log_tells_the_auth_scheme_but_never_the_secret(
    pacs: PacsTestBed,
) -> None:
    for kind in LOCATIONS:
        assert (
            get(pacs, kind, "/rs/studies?limit=1&AccessionNumber=LOGCHECK").status
            == 200
        )

    text = pacs.access_log_path.read_text()
    lines = [line for line in text.splitlines() if "AccessionNumber=LOGCHECK" in line]
    assert any("/zhiva/pacs/" in x and "auth=basic" in x for x in lines)
    assert any("/bearer/pacs/" in x and "auth=bearer" in x for x in lines)
    assert any("/open/pacs/" in x and "auth=none" in x for x in lines)
    secret_basic = pacs.basic_authorization.split()[1]
    for secret in (pacs.password, pacs.token, secret_basic):
        assert secret not in text


# -- what Orthanc says through nginx --------------------------------------------------


@pytest.mark.parametrize("kind", LOCATIONS)
def test_urls_in_dicom_json_point_to_the_public_prefix(
    pacs: PacsTestBed, kind: str
) -> None:
    ct = pacs.data.ct
    base = base_of(pacs, kind)
    studies = get(pacs, kind, "/rs/studies?limit=50")
    assert studies.status == 200
    urls = [first(study, "00081190") for study in studies.json()]
    assert len(urls) == 50
    assert all(url.startswith(f"{base}/rs/studies/") for url in urls)
    assert b"/dicom-web/" not in studies.body

    series = get(pacs, kind, f"/rs/studies/{ct.study_uid}/series")
    assert series.status == 200
    retrieve = series.json()[0]["00081190"]["Value"][0]
    assert retrieve == f"{base}/rs/studies/{ct.study_uid}/series/{ct.series_uid}"

    path = (
        f"/rs/studies/{ct.study_uid}/series/{ct.series_uid}/instances/{ct.sop_uids[0]}"
    )
    metadata = get(pacs, kind, path + "/metadata")
    assert metadata.status == 200
    assert b"/dicom-web/" not in metadata.body
    bulk = metadata.json()[0]["7FE00010"]["BulkDataURI"]
    assert bulk.startswith(f"{base}/rs/studies/{ct.study_uid}/")

    # The rewritten URL really works through the same location.
    headers = {**auth_of(pacs, kind), "Accept": OCTETS}
    pixels = pacs.request(bulk, headers=headers)
    assert pixels.status == 200
    ((_, content),) = multipart_parts(pixels)
    assert len(content) == 512 * 512 * 2


def test_ct_frame_through_tls_matches_pydicom(pacs: PacsTestBed) -> None:
    ct = pacs.data.ct
    k = 137
    path = frame_path(ct.study_uid, ct.series_uid, ct.sop_uids[k], "1")
    answer = get(pacs, "basic", path, Accept=OCTETS)

    assert answer.status == 200
    ((headers, content),) = multipart_parts(answer)
    assert headers["Content-Type"].startswith("application/octet-stream")
    frame = np.frombuffer(content, dtype="<i2").reshape(512, 512)
    expected = dcmread(ct.paths[k]).pixel_array
    np.testing.assert_array_equal(frame, expected)
    assert frame[0, 0] == 1024 + k  # the slice marker of dataset.py
    neighbour = dcmread(ct.paths[k + 1]).pixel_array
    assert not np.array_equal(frame, neighbour)


def test_three_multiframe_frames_in_one_request_match_pydicom(
    pacs: PacsTestBed,
) -> None:
    mf = pacs.data.multiframe
    path = frame_path(mf.study_uid, mf.series_uid, mf.sop_uid, "1,50,100")
    answer = get(pacs, "basic", path, Accept=OCTETS)

    assert answer.status == 200
    parts = multipart_parts(answer)
    assert len(parts) == 3
    expected = dcmread(mf.path).pixel_array
    for (_, content), index in zip(parts, (0, 49, 99), strict=True):
        frame = np.frombuffer(content, dtype=np.uint8).reshape(mf.rows, mf.columns)
        np.testing.assert_array_equal(frame, expected[index])
        assert frame[0, 0] == index


def test_paging_with_limit_and_offset_gives_distinct_studies(pacs: PacsTestBed) -> None:
    # Orthanc keys a study by PatientID and StudyInstanceUID. pydicom's big endian RT
    # dose files reach it as PatientID "id11111 ", padding kept, so one
    # StudyInstanceUID is two Orthanc studies, told apart only by their counts.
    fields = "includefield=00201206&includefield=00201208"
    seen: list[tuple[str, ...]] = []
    for offset in range(0, 10_000, 100):
        answer = get(pacs, "basic", f"/rs/studies?limit=100&offset={offset}&{fields}")
        assert answer.status == 200
        keys = ("0020000D", "00100020", "00201206", "00201208")
        page = [tuple(first(study, key) for key in keys) for study in answer.json()]
        seen += page
        if len(page) < 100:
            break

    assert len(seen) == len(set(seen)) == pacs.data.study_count
    generated = {s.study_uid for s in pacs.data.studies}
    generated |= {pacs.data.ct.study_uid, pacs.data.multiframe.study_uid}
    assert generated <= {key[0] for key in seen}
    assert len(pacs.data.studies) >= 400


def names_found(pacs: PacsTestBed, query: str) -> tuple[set[str], set[str]]:
    answer = get(
        pacs, "basic", f"/rs/studies?PatientName={query}&includefield=00100010"
    )
    assert answer.status == 200, answer.body[:200]
    studies = answer.json()
    names = {s["00100010"]["Value"][0]["Alphabetic"] for s in studies}
    return names, {s["0020000D"]["Value"][0] for s in studies}


def test_non_ascii_names_match_through_wildcards_and_come_back_intact(
    pacs: PacsTestBed,
) -> None:
    # Orthanc 1.10 can take no non-ASCII match key (see the next test), so a client
    # turns each non-ASCII letter into "*"; the answers still carry UTF-8 names.
    names, studies = names_found(pacs, "M*ller^J*rgen")
    assert names == {"Müller^Jürgen"}
    assert pacs.data.ct.study_uid in studies

    names, studies = names_found(pacs, "*ukasz^*")
    assert names == {"Łukasz^Żółć"}
    assert pacs.data.multiframe.study_uid in studies

    names, _ = names_found(pacs, "van?der?berg*")  # case-insensitive; `?` for spaces
    assert names == {"van der Berg^Anna Maria"}


def test_orthanc_takes_no_non_ascii_match_key(pacs: PacsTestBed) -> None:
    """Pin Orthanc 1.10's limits, so a newer Orthanc that lifts them is noticed.

    Its HTTP server refuses raw UTF-8 bytes in the request line, and it does not
    percent-decode QIDO values, so neither spelling of "Müller" matches.
    """
    raw = get(pacs, "open", "/rs/studies?PatientName=Müller*")
    assert raw.status == 400
    names, _ = names_found(pacs, "M%C3%BCller*")
    assert names == set()
    names, _ = names_found(pacs, "Doe%5EJane")
    assert names == set()
    names, _ = names_found(pacs, "Doe^Jane")
    assert names == {"Doe^Jane"}


def test_pydicom_files_are_stored_with_their_syntaxes(pacs: PacsTestBed) -> None:
    files = pacs.data.pydicom_files
    syntaxes = {f.transfer_syntax_uid for f in files}
    # RLE, JPEG baseline, JPEG-LS lossless, JPEG 2000, big endian, deflate, implicit.
    for syntax in ("1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.80",
                   "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99",
                   "1.2.840.10008.1.2"):  # fmt: skip
        assert syntax in syntaxes
    assert len({f.sop_uid for f in files}) == len(files)
    assert any(f.renamed for f in files)
    renamed = next(f for f in files if f.name == "MR_small_RLE.dcm")
    answer = get(pacs, "open", f"/rs/studies/{renamed.study_uid}/series/"
                 f"{renamed.series_uid}/instances")  # fmt: skip
    assert answer.status == 200
    assert [i["00080018"]["Value"][0] for i in answer.json()] == [renamed.sop_uid]


# -- start and stop -------------------------------------------------------------------


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except ConnectionRefusedError:
        return False


def wait_until_gone(pids: list[int], timeout: float = 5.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := [p for p in pids if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def test_stop_closes_the_ports_and_ends_every_process(pacs: PacsTestBed) -> None:
    bed = PacsTestBed(load_data=False, keep_files=False).start()
    assert bed.orthanc is not None and bed.nginx is not None
    workers = children(bed.nginx.pid)
    pids = [bed.orthanc.pid, bed.nginx.pid, *workers]
    root = bed.root
    assert workers, "nginx should have started a worker"
    assert all(port_open(port) for port in bed.ports)
    assert (bed.password, bed.token) != (pacs.password, pacs.token)

    bed.stop()

    assert not any(port_open(port) for port in bed.ports)
    assert wait_until_gone(pids) == []
    assert root is not None and not root.exists()
    bed.stop()  # a second stop is harmless


def test_failed_start_stops_what_did_start() -> None:
    # `false` exits at once with code 1, as an nginx with a broken config would.
    bed = PacsTestBed(load_data=False, nginx_binary="false")
    with pytest.raises(PacsTestBedError, match=r"nginx .* exited with code 1"):
        bed.start()

    assert bed.orthanc is not None
    assert wait_until_gone([bed.orthanc.pid]) == []
    assert not port_open(bed.orthanc_port)
    assert bed.root is not None and not bed.root.exists()


_CHILD = """
import json, time
from tests.pacs.testbed import PacsTestBed
bed = PacsTestBed(load_data=False).start()
print(json.dumps([bed.orthanc.pid, bed.nginx.pid, list(bed.ports), str(bed.root)]))
time.sleep(600)
"""


def test_servers_end_when_the_test_process_is_killed() -> None:
    # SIGKILL skips atexit and every finally; the kernel's parent-death signal
    # still tells the servers to go.
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD], cwd=repo, env=env, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        line = child.stdout.readline() if child.stdout else ""
        orthanc_pid, nginx_pid, ports, root = json.loads(line)
        workers = children(nginx_pid)
        assert all(port_open(port) for port in ports)
    finally:
        child.kill()
        child.wait()

    try:
        assert wait_until_gone([orthanc_pid, nginx_pid, *workers], timeout=15) == []
        assert not any(port_open(port) for port in ports)
    finally:
        # If the servers outlived their parent, this test must not leave them behind.
        for group in (orthanc_pid, nginx_pid):
            if alive(group):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(group, signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)  # nobody was left to remove it


def test_the_temp_folder_is_private_to_the_run(pacs: PacsTestBed) -> None:
    assert pacs.root is not None
    key = pacs.root / "nginx" / "tls" / "key.pem"
    conf = pacs.root / "nginx" / "conf" / "nginx.conf"
    assert os.stat(key).st_mode & 0o077 == 0
    assert os.stat(conf).st_mode & 0o077 == 0
    assert os.stat(pacs.root / "nginx" / "conf" / "htpasswd").st_mode & 0o777 == 0o644
    assert pacs.password not in conf.read_text()
