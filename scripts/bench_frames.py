#!/usr/bin/env python3
"""Frame retrieval benchmark: the viewer's client in Chromium against plain CPython.

Starts the PACS test bed (Orthanc behind nginx, ``tests/pacs/testbed.py``) and the
site (``serve.py``), boots the viewer in Debian's headless Chromium, and fetches the
300 frames of the test CT series through the TLS + Basic Auth location, one request
per frame, in these ways, interleaved so that load on the machine hits all alike:

* the browser client: ``DicomwebClient`` with ``FetchTransport`` in Pyodide,
  sequential (await each frame) and N in flight (``asyncio.gather``, a semaphore);
* a plain Python client on CPython: ``http.client.HTTPSConnection`` with keep-alive,
  the same URLs and Accept header, the same multipart parser; sequential on one
  connection, and N in flight on N connections in threads;
* for reference, ``fetch`` from JavaScript in the same page, no Python at all: what
  the browser's network stack costs by itself;
* for reference, the whole series in one request (Orthanc serves a series only as
  DICOM files, ``multipart/related; type="application/dicom"``), from plain Python
  and from JavaScript: what fewer requests would gain. The client has no such
  method; ``retrieve_frames`` asks per instance and these instances have one frame.

Browser times are taken inside the page (``time.perf_counter`` in Pyodide,
``performance.now()`` in JavaScript), so the driver's round trips are not in them.
Before any timing, each client makes one warm-up request (a QIDO-RS search of the
series' instances) on each of its connections: the TLS handshake and the preflight
of that URL are not timed. Each browser page gets a fresh browser context, whose
first pass over the frames is reported on its own as "first visit": Chromium caches
a CORS preflight per URL, so only that pass pays one preflight per frame (see
/work/shared/PACS.md); the repeated passes find every preflight cached. Preflights
and GETs are counted from the test bed's nginx access log; CPU time per process
(client side, and nginx + Orthanc) from /proc, since on a 2-core machine the
client's CPU is taken from the servers'. The script ends with a breakdown of one
sequential pass of the browser client into its steps, and its CPU by process.

Chromium is driven over ``--remote-debugging-pipe`` with only ``Runtime`` used, as a
user's browser runs with no DevTools attached. ``--playwright`` drives it with
Playwright instead, which enables DevTools' Network domain on every page: each
request is then reported to the driver, and the browser runs slower.

Every pass must deliver 300 frames of 512 x 512 x 2 bytes in Explicit VR Little
Endian; the table says so when one did not. MB are 10^6 bytes. This is a
measurement, not a test: it prints tables and asserts nothing.

Usage (with the test tools in ``.venv``)::

    .venv/bin/python scripts/bench_frames.py [--repeat 3] [--in-flight 6]
        [--http1] [--playwright] [--committed]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import http.client
import io
import json
import os
import queue
import select
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.dicomweb import media  # noqa: E402
from app.dicomweb.multipart import parse_multipart_related  # noqa: E402
from app.dicomweb.records import frames_from_multipart  # noqa: E402
from app.dicomweb.urls import frames_url, series_url  # noqa: E402
from scripts.bench_boot import start_site  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.pacs.testbed import PacsTestBed  # noqa: E402

FRAME_BYTES = 512 * 512 * 2
TARGET_RATIO = 1.3
BOOT_TIMEOUT = 90.0
PASS_TIMEOUT = 300.0
LOG_WAIT = 1.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The plain client reconnects once when nginx has closed a kept-alive connection
# (it does after keepalive_requests, 1000 by default).
RECONNECT_ERRORS = (http.client.RemoteDisconnected, ConnectionError)

# Run once per page through zhivaRunPython; later calls share its globals. The
# client is built as the viewer builds it; ``page_code`` fills in ``CONFIG``.
PAGE_SETUP = """
import asyncio
import json
import time

import js
from pyodide.ffi import to_js

from app.browser.fetch_transport import FetchTransport
from app.dicomweb import BasicAuth, DicomwebClient, ServerEndpoints, media
from app.dicomweb.multipart import parse_multipart_related
from app.dicomweb.records import frames_from_multipart
from app.dicomweb.urls import frames_url

CONFIG = json.loads(@CONFIG@)
STUDY, SERIES, SOPS = CONFIG["study"], CONFIG["series"], CONFIG["sops"]
client = DicomwebClient(
    ServerEndpoints(
        qido_rs=CONFIG["rs"],
        wado_rs=CONFIG["rs"],
        wado_uri=CONFIG["wado"],
        credentials=BasicAuth(CONFIG["user"], CONFIG["password"]),
    ),
    FetchTransport(),
)


async def warm_up():
    instances = await client.search_instances(STUDY, SERIES)
    return json.dumps(len(instances))


async def one_frame(sop):
    (frame,) = await client.retrieve_frames(STUDY, SERIES, sop, [1])
    return len(frame.data), frame.transfer_syntax_uid


async def bench_client(in_flight):
    gate = asyncio.Semaphore(in_flight)

    async def gated(sop):
        async with gate:
            return await one_frame(sop)

    began = time.perf_counter()
    if in_flight == 1:
        results = [await one_frame(sop) for sop in SOPS]
    else:
        results = await asyncio.gather(*(gated(sop) for sop in SOPS))
    seconds = time.perf_counter() - began
    return json.dumps({
        "seconds": seconds,
        "frames": len(results),
        "bytes": sum(size for size, _ in results),
        "syntaxes": sorted({syntax for _, syntax in results}),
    })


async def bench_series():
    # The viewer's client: the series' Part 10 files in one request, parsed into
    # parts in Pyodide (the clock stops before pydicom reads any file).
    began = time.perf_counter()
    files = await client.retrieve_series_files(STUDY, SERIES)
    seconds = time.perf_counter() - began
    return json.dumps({
        "seconds": seconds, "frames": len(files), "bytes": sum(map(len, files)),
    })


async def profile_steps():
    # FetchTransport.send and the client's frame parsing, step by step, with a
    # clock between the steps (the client's retry and timeout wrapping left out).
    steps = dict.fromkeys(
        ("request", "fetch", "body", "copy", "headers", "parse"), 0.0
    )
    total = 0
    began = time.perf_counter()
    for sop in SOPS:
        t0 = time.perf_counter()
        url = frames_url(CONFIG["rs"], STUDY, SERIES, sop, (1,))
        headers = js.Headers.new()
        headers.append("Accept", media.FRAMES_ACCEPT_STORED)
        headers.append("Authorization", CONFIG["authorization"])
        controller = js.AbortController.new()
        init = to_js(
            {
                "method": "GET",
                "headers": headers,
                "signal": controller.signal,
                "credentials": "omit",
                "referrerPolicy": "no-referrer",
            },
            dict_converter=js.Object.fromEntries,
        )
        t1 = time.perf_counter()
        answer = await js.fetch(url, init)
        t2 = time.perf_counter()
        buffer = await answer.arrayBuffer()
        t3 = time.perf_counter()
        body = buffer.to_bytes()
        t4 = time.perf_counter()
        answer_headers = {
            str(pair[0]): str(pair[1])
            for pair in js.Array.from_(answer.headers.entries())
        }
        t5 = time.perf_counter()
        message = parse_multipart_related(answer_headers["content-type"], body)
        (frame,) = frames_from_multipart(message, (1,))
        t6 = time.perf_counter()
        total += len(frame.data)
        for name, start, end in (
            ("request", t0, t1), ("fetch", t1, t2), ("body", t2, t3),
            ("copy", t3, t4), ("headers", t4, t5), ("parse", t5, t6),
        ):
            steps[name] += end - start
    return json.dumps({
        "seconds": time.perf_counter() - began,
        "bytes": total,
        "steps": steps,
    })
"""

# Orthanc 1.10's DICOMweb plugin retrieves a whole series only as DICOM files;
# application/octet-stream (bulk data) is refused there with 400.
SERIES_ACCEPT = f'{media.MULTIPART_RELATED}; type="{media.DICOM}"; transfer-syntax=*'

# The whole series in one request from JavaScript; the parts are counted after the
# clock stops.
JS_SERIES = """
async ({url, headers}) => {
  const began = performance.now();
  const answer = await fetch(url, {
    headers, credentials: "omit", referrerPolicy: "no-referrer",
  });
  const bytes = new Uint8Array(await answer.arrayBuffer());
  const seconds = (performance.now() - began) / 1000;
  if (!answer.ok) throw new Error(`HTTP ${answer.status} for the series`);
  const boundary = /boundary="?([^";]+)/.exec(answer.headers.get("content-type"))[1];
  const delimiter = Array.from("\\n--" + boundary, (c) => c.charCodeAt(0));
  // As on CPython: the first delimiter starts the body, one follows each part.
  let parts = delimiter.slice(1).every((code, k) => bytes[k] === code) ? 0 : -1;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) {
    if (delimiter.every((code, k) => bytes[i + k] === code)) parts += 1;
  }
  return {seconds, frames: parts, bytes: bytes.length};
}
"""

# The same requests from JavaScript: fetch, read the body, find the one part's
# content between the first blank line and the closing delimiter. A network error
# is tried once more (the client retries too) and counted.
JS_FETCH = """
async ({urls, headers, inFlight}) => {
  const latin1 = new TextDecoder("latin1");
  const frameBytes = (contentType, buffer) => {
    const boundary = /boundary="?([^";]+)/.exec(contentType || "")[1];
    const bytes = new Uint8Array(buffer);
    const head = latin1.decode(bytes.subarray(0, 1024));
    const start = head.indexOf("\\r\\n\\r\\n") + 4;
    const tailFrom = Math.max(0, bytes.length - 512);
    const tail = latin1.decode(bytes.subarray(tailFrom));
    const end = tailFrom + tail.lastIndexOf("\\r\\n--" + boundary);
    return end - start;
  };
  let retries = 0;
  const one = async (url, again = true) => {
    let answer, buffer;
    try {
      answer = await fetch(url, {
        headers, credentials: "omit", referrerPolicy: "no-referrer",
      });
      buffer = await answer.arrayBuffer();
    } catch (error) {
      if (!again) throw error;
      retries += 1;
      return one(url, false);
    }
    if (!answer.ok) throw new Error(`HTTP ${answer.status} for a frame`);
    return frameBytes(answer.headers.get("content-type"), buffer);
  };
  const began = performance.now();
  const sizes = [];
  if (inFlight === 1) {
    for (const url of urls) sizes.push(await one(url));
  } else {
    let next = 0;
    const worker = async () => {
      while (next < urls.length) sizes.push(await one(urls[next++]));
    };
    await Promise.all(Array.from({length: inFlight}, worker));
  }
  const seconds = (performance.now() - began) / 1000;
  const bytes = sizes.reduce((a, b) => a + b, 0);
  return {seconds, frames: sizes.length, bytes, retries};
}
"""


# -- records -----------------------------------------------------------------------


@dataclass
class Sample:
    """One pass over the series and what the servers and processes saw of it."""

    seconds: float
    frames: int
    frame_bytes: int
    syntaxes: tuple[str, ...] = ()
    retries: int = 0
    gets: int = 0
    failed_gets: int = 0
    preflights: int = 0
    protocols: frozenset[str] = frozenset()
    cpu: dict[str, float] = field(default_factory=dict)
    #: One GET per frame, or one for a whole-series request.
    expected_gets: int = 0
    #: ``frame_bytes`` holds whole DICOM files (a whole-series request).
    whole_files: bool = False


@dataclass
class Method:
    """A way of fetching the series, and its passes."""

    label: str
    kind: str  # "browser", "first", "plain", "js", "series"
    #: The method this one is compared with: plain Python of the same concurrency.
    baseline: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(sample.seconds for sample in self.samples)

    def cpu_per_frame(self, groups: tuple[str, ...], frames: int) -> float:
        """Median CPU milliseconds per frame of the process groups named."""
        return statistics.median(
            sum(s.cpu.get(group, 0.0) for group in groups) / frames * 1000
            for s in self.samples
        )


# -- what the servers and the processes saw ----------------------------------------


class AccessLog:
    """Counts the frame requests nginx logged for one pass."""

    def __init__(self, path: Path, prefix: str) -> None:
        self.path = path
        self.prefix = prefix
        self._offset = path.stat().st_size

    def mark(self) -> None:
        self._offset = self.path.stat().st_size

    def since_mark(self, sample: Sample, fragment: str = "/frames/") -> None:
        """Count the pass's lines into ``sample``; the next pass starts after them.

        nginx logs a request when it has finished with it, which can be a moment
        after the client has the last byte: wait (up to LOG_WAIT seconds) until
        there is a GET line for every request the pass made. ``fragment`` picks
        the pass's lines: frame URLs, or a series URL.
        """
        deadline = time.monotonic() + LOG_WAIT
        while True:
            with self.path.open("rb") as log:
                log.seek(self._offset)
                data = log.read()
            # 127.0.0.1 [time] port "GET /path HTTP/2.0" 200 bytes ... (testbed.py)
            lines = data.decode("utf-8", "replace").splitlines()
            frames = [
                line for line in lines if self.prefix in line and fragment in line
            ]
            requests = [line.split('"')[1:3] for line in frames if line.count('"') >= 2]
            received = sum(request.startswith("GET ") for request, _ in requests)
            if received >= sample.expected_gets or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        self._offset += len(data)

        gets = [status for request, status in requests if request.startswith("GET ")]
        sample.gets = len(gets)
        sample.failed_gets = sum(
            not status.strip().startswith("200") for status in gets
        )
        sample.preflights = sum(
            request.startswith("OPTIONS ") for request, _ in requests
        )
        sample.protocols = frozenset(
            request.rsplit(" ", 1)[-1] for request, _ in requests
        )


class CpuMeter:
    """CPU seconds of this process and its child process trees, from /proc (Linux).

    ``groups`` names the direct children to follow (nginx, Orthanc, the browser);
    this process itself is "python", where the plain client runs.
    """

    def __init__(self, groups: dict[int, str]) -> None:
        self.groups = groups
        self.available = Path("/proc/self/stat").exists()

    def snapshot(self) -> dict[str, float]:
        if not self.available:
            return {}

        table = _process_table()
        used: dict[str, float] = {}
        for pid, (_, seconds, _) in table.items():
            group = self._group_of(pid, table)
            if group is not None:
                used[group] = used.get(group, 0.0) + seconds
        return used

    def _group_of(
        self, pid: int, table: dict[int, tuple[int, float, str]]
    ) -> str | None:
        me = os.getpid()
        if pid == me:
            return "python"

        line = [pid]
        while line[-1] in table and table[line[-1]][0] != me:
            line.append(table[line[-1]][0])
        top = line[-1]
        group = self.groups.get(top) if top in table else None
        if group != "Chromium":
            return group

        # Chromium rewrites its processes' command lines, but some switches stay.
        cmdline = table[pid][2]
        if "--renderer-client-id" in cmdline or "--type=renderer" in cmdline:
            return "Chromium renderer"
        if "--gpu-preferences" in cmdline or "--type=gpu-process" in cmdline:
            return "Chromium GPU"
        driver = "node" in Path(table[top][2].split(" ", 1)[0]).name
        if pid == top:
            return "Playwright driver" if driver else "Chromium browser"
        if driver and len(line) == 2:
            return "Chromium browser"
        return "Chromium other (network service, zygotes)"


def _process_table() -> dict[int, tuple[int, float, str]]:
    """pid -> (parent pid, user + system CPU seconds, command line)."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            cmdline = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        # proc(5): the fields after the parenthesised command name.
        fields = stat.rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        table[int(entry.name)] = (
            int(fields[1]),
            seconds,
            cmdline.decode(errors="replace"),
        )
    return table


# -- the plain client --------------------------------------------------------------


class PlainClient:
    """The frames over ``http.client`` with keep-alive, parsed by the viewer's parser."""

    def __init__(self, bed: PacsTestBed, sop_uids: tuple[str, ...]) -> None:
        assert bed.data is not None
        ct = bed.data.ct
        parts = urlsplit(bed.tls_base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port
        self.context = bed.ssl_context()
        self.authorization = bed.basic_authorization
        rs = bed.tls_base + "/rs"
        self.paths = [
            urlsplit(frames_url(rs, ct.study_uid, ct.series_uid, sop, (1,))).path
            for sop in sop_uids
        ]
        # The QIDO-RS search the page warms up with (PS3.18 10.6, study-rooted).
        self.warm_path = urlsplit(series_url(rs, ct.study_uid, ct.series_uid)).path
        self.warm_path += "/instances"
        self.series_path = urlsplit(series_url(rs, ct.study_uid, ct.series_uid)).path
        self._connections: list[http.client.HTTPSConnection] = []

    def connections(self, count: int) -> list[http.client.HTTPSConnection]:
        """``count`` open connections, each warmed up once (TLS handshake done)."""
        while len(self._connections) < count:
            conn = http.client.HTTPSConnection(
                self.host, self.port, context=self.context, timeout=60
            )
            self._get(conn, self.warm_path, media.DICOM_JSON)
            self._connections.append(conn)
        return self._connections[:count]

    def close(self) -> None:
        for conn in self._connections:
            conn.close()

    def run(self, in_flight: int) -> Sample:
        connections = self.connections(in_flight)
        work: queue.SimpleQueue[str] = queue.SimpleQueue()
        for path in self.paths:
            work.put(path)

        def drain(conn: http.client.HTTPSConnection) -> list[tuple[int, str]]:
            results = []
            with contextlib.suppress(queue.Empty):
                while True:
                    results.append(self.frame(conn, work.get_nowait()))
            return results

        with ThreadPoolExecutor(in_flight) as pool:
            began = time.perf_counter()
            results = [r for done in pool.map(drain, connections) for r in done]
            seconds = time.perf_counter() - began
        return Sample(
            seconds=seconds,
            frames=len(results),
            frame_bytes=sum(size for size, _ in results),
            syntaxes=tuple(sorted({syntax for _, syntax in results})),
        )

    def series(self) -> Sample:
        """The whole series in one request, as DICOM files (PS3.18 10.4.1)."""
        (conn,) = self.connections(1)
        began = time.perf_counter()
        status, content_type, body = self._get(conn, self.series_path, SERIES_ACCEPT)
        seconds = time.perf_counter() - began
        if status != 200:
            raise RuntimeError(f"HTTP {status} for the series: {body[:200]!r}")

        # The viewer's parser is not used here: it is not what this request is
        # for, and it scans each part's content for the end of the part's headers.
        delimiter = (
            b"--"
            + (media.parse_media_type(content_type).param("boundary") or "").encode()
        )
        # One delimiter after each part, the closing one included; the first one
        # starts the body.
        parts = body.count(b"\n" + delimiter) - (not body.startswith(delimiter))
        sample = Sample(seconds, parts, len(body), whole_files=True)
        sample.expected_gets = 1
        return sample

    def frame(self, conn: http.client.HTTPSConnection, path: str) -> tuple[int, str]:
        status, content_type, body = self._get(conn, path, media.FRAMES_ACCEPT_STORED)
        if status != 200:
            raise RuntimeError(f"HTTP {status} for {path}: {body[:200]!r}")

        message = parse_multipart_related(content_type, body)
        (frame,) = frames_from_multipart(message, (1,))
        return len(frame.data), frame.transfer_syntax_uid

    def _get(
        self, conn: http.client.HTTPSConnection, path: str, accept: str
    ) -> tuple[int, str, bytes]:
        headers = {"Accept": accept, "Authorization": self.authorization}
        for attempt in (1, 2):
            try:
                conn.request("GET", path, headers=headers)
                answer = conn.getresponse()
                return (
                    answer.status,
                    answer.getheader("Content-Type", ""),
                    answer.read(),
                )
            except RECONNECT_ERRORS:
                # http.client opens a new connection on the next request.
                conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


# -- the browser -------------------------------------------------------------------


class Evaluate(Protocol):
    def __call__(self, expression: str) -> Any: ...


class Browser(Protocol):
    pid: int | None

    def open_page(self, url: str) -> tuple[Evaluate, list[str]]:
        """A new page in a fresh browser context: its evaluate and console errors."""
        ...

    def close(self) -> None: ...


class CdpBrowser:
    """Debian's Chromium over ``--remote-debugging-pipe`` (the DevTools protocol).

    The pipe is file descriptors 3 (Chromium reads) and 4 (Chromium writes), with
    JSON messages ending in a NUL byte. Only ``Target`` and ``Runtime`` are used;
    ``Runtime`` events only while a page boots, to catch its console errors.
    """

    def __init__(self) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="zhiva-bench-chromium-")
        to_chromium, self._writer = os.pipe()
        self._reader, from_chromium = os.pipe()
        # Above 9, so the two dup2 calls in the child cannot overwrite each other.
        child_in = fcntl.fcntl(to_chromium, fcntl.F_DUPFD, 10)
        child_out = fcntl.fcntl(from_chromium, fcntl.F_DUPFD, 10)
        os.close(to_chromium)
        os.close(from_chromium)

        def onto_3_and_4() -> None:
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        argv = [CHROMIUM, "--headless", "--remote-debugging-pipe"]
        argv += [f"--user-data-dir={self._profile.name}", "--ignore-certificate-errors"]
        try:
            self.process = subprocess.Popen(
                [*argv, *CHROMIUM_ARGS, "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, pass_fds=(3, 4), preexec_fn=onto_3_and_4,
            )  # fmt: skip
        finally:
            os.close(child_in)
            os.close(child_out)
        self.pid: int | None = self.process.pid
        self._buffer = b""
        self._last_id = 0
        self._console: dict[str, list[str]] = {}

    def open_page(self, url: str) -> tuple[Evaluate, list[str]]:
        context = self.send("Target.createBrowserContext")["browserContextId"]
        target = self.send(
            "Target.createTarget", {"url": "about:blank", "browserContextId": context}
        )["targetId"]
        session = self.send(
            "Target.attachToTarget", {"targetId": target, "flatten": True}
        )["sessionId"]
        errors = self._console.setdefault(session, [])
        self.send("Runtime.enable", session=session)
        self.send("Page.navigate", {"url": url}, session=session)

        def evaluate(expression: str) -> Any:
            params = {
                "expression": expression,
                "awaitPromise": True,
                "returnByValue": True,
            }
            result = self.send("Runtime.evaluate", params, session=session)
            if "exceptionDetails" in result:
                details = result["exceptionDetails"]
                raise RuntimeError(
                    details.get("exception", {}).get("description") or details["text"]
                )
            return result["result"].get("value")

        wait_for_boot(evaluate, errors)
        self.send("Runtime.disable", session=session)
        return evaluate, errors

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str = ""
    ) -> dict[str, Any]:
        """Send one command and wait for its answer, keeping events on the way."""
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method}
        message["params"] = params or {}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._writer, data) :]

        deadline = time.monotonic() + PASS_TIMEOUT
        while True:
            answer = self._read(deadline)
            if answer.get("id") == self._last_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error'].get('message')}")
                result: dict[str, Any] = answer["result"]
                return result
            self._event(answer)

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError):
            self.send("Browser.close")
        stop_process(self.process)
        for fd in (self._reader, self._writer):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._profile.cleanup()

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._reader], [], [], max(left, 0))
            if not ready:
                raise TimeoutError(f"Chromium did not answer in {PASS_TIMEOUT:.0f} s")
            chunk = os.read(self._reader, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe (did it crash?)")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def _event(self, message: dict[str, Any]) -> None:
        errors = self._console.get(message.get("sessionId", ""))
        if errors is None:
            return
        params = message.get("params", {})
        if (
            message.get("method") == "Runtime.consoleAPICalled"
            and params["type"] == "error"
        ):
            errors.append(" ".join(str(a.get("value", "")) for a in params["args"]))
        elif message.get("method") == "Runtime.exceptionThrown":
            errors.append(params["exceptionDetails"].get("text", ""))


class PlaywrightBrowser:
    """The same through Playwright, for comparison (it enables DevTools' Network)."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
        except BaseException:
            self._playwright.stop()
            raise
        self.pid: int | None = None

    def open_page(self, url: str) -> tuple[Evaluate, list[str]]:
        # The self-signed certificate of the test bed: trusted per context.
        context = self._browser.new_context(ignore_https_errors=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda message: message.type == "error" and errors.append(message.text),
        )
        page.goto(url)
        wait_for_boot(page.evaluate, errors)
        return page.evaluate, errors

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._browser.close()
        self._playwright.stop()


def wait_for_boot(evaluate: Evaluate, errors: list[str]) -> None:
    """Wait until the viewer is ready and idle; raise with its console on failure.

    Idle: the viewer loads numpy and pydicom in the background after its first
    view (app/browser/packages.py), which would share the page's thread with the
    first passes.
    """
    deadline = time.monotonic() + BOOT_TIMEOUT
    state = ""
    while time.monotonic() < deadline:
        # A navigation in progress has no document yet, or destroys the context;
        # both drivers raise then (RuntimeError here, playwright's Error there).
        with contextlib.suppress(Exception):
            state = evaluate("document.documentElement?.dataset.boot ?? ''") or ""
        if state:
            break
        time.sleep(0.1)
    while state == "ready" and time.monotonic() < deadline:
        if evaluate("Boolean(window.zhivaBoot?.times?.imagingLoaded)"):
            return
        time.sleep(0.1)
    if state == "ready":
        state = "numpy and pydicom still loading"

    panel = ""
    with contextlib.suppress(Exception):
        panel = evaluate("document.querySelector('#boot-panel')?.innerText ?? ''")
    # The site may be the shared working tree: another change's half-edited file
    # shows up here (try --committed).
    console = "\n".join(errors[-5:])
    raise RuntimeError(
        f"the viewer did not boot ({state or 'timeout'}): {panel}\n{console}"
    )


class BenchPage:
    """One booted viewer page with the benchmark's code loaded into its Pyodide."""

    def __init__(self, browser: Browser, site_url: str, config: dict[str, Any]) -> None:
        self.evaluate, self.errors = browser.open_page(site_url)
        self.config = config
        code = PAGE_SETUP.replace("@CONFIG@", repr(json.dumps(config)))
        self.python(code + "\njson.dumps(True)")
        instances = self.python("await warm_up()")
        if instances != len(config["sops"]):
            raise RuntimeError(f"the page found {instances} instances, not 300")

    def python(self, code: str) -> Any:
        """Run ``code`` in the page's Pyodide; its last expression is a JSON string."""
        return json.loads(self.evaluate(f"window.zhivaRunPython({json.dumps(code)})"))

    def client(self, in_flight: int) -> Sample:
        result = self.python(f"await bench_client({in_flight})")
        return Sample(
            result["seconds"],
            result["frames"],
            result["bytes"],
            tuple(result["syntaxes"]),
        )

    def javascript(self, in_flight: int) -> Sample:
        rs, study, series = (
            self.config["rs"],
            self.config["study"],
            self.config["series"],
        )
        argument = {
            "urls": [
                frames_url(rs, study, series, sop, (1,)) for sop in self.config["sops"]
            ],
            "headers": {
                "Accept": media.FRAMES_ACCEPT_STORED,
                "Authorization": self.config["authorization"],
            },
            "inFlight": in_flight,
        }
        result = self.evaluate(f"({JS_FETCH})({json.dumps(argument)})")
        return Sample(
            result["seconds"],
            result["frames"],
            result["bytes"],
            retries=result["retries"],
        )

    def client_series(self) -> Sample:
        result = self.python("await bench_series()")
        sample = Sample(result["seconds"], result["frames"], result["bytes"])
        sample.whole_files, sample.expected_gets = True, 1
        return sample

    def series(self) -> Sample:
        argument = {
            "url": series_url(
                self.config["rs"], self.config["study"], self.config["series"]
            ),
            "headers": {
                "Accept": SERIES_ACCEPT,
                "Authorization": self.config["authorization"],
            },
        }
        result = self.evaluate(f"({JS_SERIES})({json.dumps(argument)})")
        sample = Sample(result["seconds"], result["frames"], result["bytes"])
        sample.whole_files, sample.expected_gets = True, 1
        return sample

    def profile(self) -> dict[str, Any]:
        result: dict[str, Any] = self.python("await profile_steps()")
        return result


# -- passes and tables -------------------------------------------------------------


def measure(
    log: AccessLog, cpu: CpuMeter, run: Callable[[], Sample], series_uid: str
) -> Sample:
    """Run one pass and attach what nginx logged and the CPU each process used."""
    log.mark()
    before = cpu.snapshot()
    sample = run()
    after = cpu.snapshot()
    if sample.whole_files:
        log.since_mark(sample, f"/series/{series_uid} ")
    else:
        sample.expected_gets = sample.frames
        log.since_mark(sample)
    sample.cpu = {key: after[key] - before.get(key, 0.0) for key in after}
    return sample


def check(sample: Sample, count: int) -> list[str]:
    """What is wrong with one pass, as short notes (none if all frames arrived)."""
    notes = []
    if sample.frames != count:
        notes.append(f"{sample.frames} frames, not {count}")
    if sample.whole_files:
        if sample.frame_bytes < count * FRAME_BYTES:
            notes.append(f"{sample.frame_bytes} bytes, fewer than the pixels")
    elif sample.frame_bytes != count * FRAME_BYTES:
        notes.append(f"{sample.frame_bytes} bytes, not {count * FRAME_BYTES}")
    if sample.syntaxes and sample.syntaxes != (media.EXPLICIT_VR_LITTLE_ENDIAN,):
        notes.append(f"transfer syntaxes {', '.join(sample.syntaxes)}")
    if sample.gets != sample.expected_gets or sample.failed_gets:
        notes.append(f"{sample.gets} GETs, {sample.failed_gets} not 200")
    if sample.retries:
        notes.append(f"{sample.retries} retried after a network error")
    return notes


CLIENT_GROUPS = {
    "plain": ("python",),
    "browser": (
        "Chromium renderer", "Chromium browser", "Chromium GPU",
        "Chromium other (network service, zygotes)", "Playwright driver",
    ),
}  # fmt: skip
SERVER_GROUPS = ("nginx", "Orthanc")


def table(methods: dict[str, Method], count: int, cpu: bool) -> str:
    header = "| method | frames/s (median) | MB/s | seconds (median, range) "
    header += "| ratio vs plain Python | preflights per pass | HTTP |"
    rule = "|---|---|---|---|---|---|---|"
    if cpu:
        header += " client CPU ms/frame | nginx + Orthanc CPU ms/frame |"
        rule += "---|---|"
    lines = [header + " bytes |", rule + "---|"]
    for method in methods.values():
        seconds = method.seconds
        spans = [sample.seconds for sample in method.samples]
        megabytes = statistics.median(s.frame_bytes for s in method.samples) / 1e6
        ratio = seconds / methods[method.baseline].seconds
        preflights = "/".join(str(s.preflights) for s in method.samples)
        protocols = sorted(set().union(*(s.protocols for s in method.samples)))
        notes = sorted({n for s in method.samples for n in check(s, count)})
        runs = f"{min(spans):.2f}-{max(spans):.2f}" if len(spans) > 1 else "1 pass"
        row = (
            f"| {method.label} | {count / seconds:.0f} | {megabytes / seconds:.0f} "
            f"| {seconds:.2f} ({runs}) | {ratio:.2f} | {preflights} "
            f"| {', '.join(protocols) or '-'} |"
        )
        if cpu:
            client = CLIENT_GROUPS["plain" if method.kind == "plain" else "browser"]
            row += (
                f" {method.cpu_per_frame(client, count):.1f} "
                f"| {method.cpu_per_frame(SERVER_GROUPS, count):.1f} |"
            )
        if method.samples[0].whole_files:
            notes.insert(0, "DICOM files")
        lines.append(f"{row} {'; '.join(notes) or 'ok'} |")
    return "\n".join(lines)


def ratios(methods: dict[str, Method], prefix: str, in_flight: int) -> str:
    def ratio(key: str) -> float:
        return methods[key].seconds / methods[methods[key].baseline].seconds

    return (
        f"(sequential): {ratio(prefix + '-1'):.2f}; ({in_flight} in flight): "
        f"{ratio(prefix + '-n'):.2f}; target <= {TARGET_RATIO}"
    )


def profile_table(profile: dict[str, Any], count: int, method: Method) -> str:
    steps = profile["steps"]
    names = {
        "request": "build Headers, AbortController, to_js(init)",
        "fetch": "await fetch() (until the answer's headers)",
        "body": "await arrayBuffer() (until the whole body)",
        "copy": "ArrayBuffer.to_bytes() (into the wasm heap)",
        "headers": "answer headers to a dict",
        "parse": "parse_multipart_related + frames_from_multipart",
    }
    total = profile["seconds"]
    lines = ["| step | ms per frame | share |", "|---|---|---|"]
    for key, label in names.items():
        share = steps[key] / total * 100
        lines.append(f"| {label} | {steps[key] / count * 1000:.2f} | {share:.0f}% |")
    rest = total - sum(steps.values())
    lines.append(
        f"| the loop between steps | {rest / count * 1000:.2f} | {rest / total * 100:.0f}% |"
    )
    lines.append(f"| sum of this pass | {total / count * 1000:.2f} | 100% |")
    lines.append(
        "| for comparison: the client's median sequential pass (retry, timeout, "
        f"Response record) | {method.seconds / count * 1000:.2f} | |"
    )
    return "\n".join(lines)


def cpu_line(method: Method, count: int) -> str:
    groups = sorted({g for s in method.samples for g in s.cpu})
    parts = [
        f"{group} {method.cpu_per_frame((group,), count):.1f}"
        for group in groups
        if method.cpu_per_frame((group,), count) >= 0.05
    ]
    return f"CPU ms per frame, {method.label}: " + ", ".join(parts)


# -- servers -----------------------------------------------------------------------


@contextlib.contextmanager
def site_server(committed: bool) -> Iterator[tuple[str, int]]:
    """The viewer from serve.py: the working tree, or a copy of the last commit.

    The checkout is shared: another change's half-edited app file can stop the
    working tree's viewer from booting; ``--committed`` measures HEAD instead.
    Yields the site's URL and the server's pid.
    """
    with contextlib.ExitStack() as stack:
        if committed:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", "HEAD"],
                check=True, capture_output=True,
            )  # fmt: skip
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                tar.extractall(folder, filter="data")
            process, url = serve(folder)
        else:
            process, url = start_site()
        stack.callback(stop_process, process)
        yield url, process.pid


def serve(folder: Path) -> tuple[subprocess.Popen[str], str]:
    """Start ``folder``'s serve.py on a free port, as bench_boot's start_site does."""
    process = subprocess.Popen(
        [sys.executable, str(folder / "serve.py"), "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    if " at " not in line:
        stop_process(process)
        raise RuntimeError(f"serve.py did not start: {line!r}")
    return process, line.split("at ", 1)[1].split()[0]


def stop_process(process: subprocess.Popen[Any]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# -- the run -----------------------------------------------------------------------


def make_methods(n: int) -> dict[str, Method]:
    """Every method, in table order; keys ending in -1 and -n pair up for ratios."""
    return {
        "browser-1": Method(
            "browser client (Pyodide), sequential", "browser", "plain-1"
        ),
        "plain-1": Method("plain Python http.client, sequential", "plain", "plain-1"),
        "browser-n": Method(
            f"browser client (Pyodide), {n} in flight", "browser", "plain-n"
        ),
        "plain-n": Method(
            f"plain Python http.client, {n} in flight ({n} connections)",
            "plain",
            "plain-n",
        ),
        "first-1": Method(
            "browser client, sequential, first visit", "first", "plain-1"
        ),
        "first-n": Method(
            f"browser client, {n} in flight, first visit", "first", "plain-n"
        ),
        "js-1": Method(
            "reference: fetch() from JS, no Python, sequential", "js", "plain-1"
        ),
        "js-n": Method(f"reference: fetch() from JS, {n} in flight", "js", "plain-n"),
        "series-plain": Method(
            "reference: whole series in one request, plain Python",
            "plain",
            "series-plain",
        ),
        "series-browser": Method(
            "browser client (Pyodide), whole series in one request",
            "series",
            "series-plain",
        ),
        "series-js": Method(
            "reference: whole series in one request, fetch() from JS",
            "series",
            "series-plain",
        ),
    }


def benchmark(args: argparse.Namespace) -> int:
    n = args.in_flight
    began = time.monotonic()
    load_before = os.getloadavg()[0]
    methods = make_methods(n)
    with contextlib.ExitStack() as stack:
        bed = stack.enter_context(PacsTestBed(http2=not args.http1))
        assert bed.data is not None and bed.nginx and bed.orthanc
        ct = bed.data.ct
        count = len(ct.sop_uids)
        site_url, site_pid = stack.enter_context(site_server(args.committed))
        browser: Browser = PlaywrightBrowser() if args.playwright else CdpBrowser()
        stack.callback(browser.close)
        print(f"test bed, site and browser up at {time.monotonic() - began:.0f} s",
              file=sys.stderr)  # fmt: skip

        groups = {bed.nginx.pid: "nginx", bed.orthanc.pid: "Orthanc", site_pid: "site"}
        if browser.pid is not None:
            groups[browser.pid] = "Chromium"
        else:
            # Playwright's driver is the child left over; Chromium is its child.
            groups.update(_other_children(groups, "Chromium"))
        cpu = CpuMeter(groups)
        log = AccessLog(bed.access_log_path, "/zhiva/pacs/rs/")

        def measured(key: str, run: Callable[[], Sample]) -> None:
            methods[key].samples.append(measure(log, cpu, run, ct.series_uid))

        plain = PlainClient(bed, ct.sop_uids)
        stack.callback(plain.close)
        plain.connections(n)
        config = {
            "rs": bed.tls_base + "/rs",
            "wado": bed.tls_base + "/wado",
            "study": ct.study_uid,
            "series": ct.series_uid,
            "sops": list(ct.sop_uids),
            "user": bed.username,
            "password": bed.password,
            "authorization": bed.basic_authorization,
        }

        # Two fresh contexts, so both first visits start with no preflight cached.
        page = BenchPage(browser, site_url, config)
        measured("first-1", lambda: page.client(1))
        other = BenchPage(browser, site_url, config)
        measured("first-n", lambda: other.client(n))
        print(f"first visits done at {time.monotonic() - began:.0f} s", file=sys.stderr)

        runs: list[tuple[str, Callable[[], Sample]]] = [
            ("browser-1", lambda: page.client(1)),
            ("plain-1", lambda: plain.run(1)),
            ("browser-n", lambda: page.client(n)),
            ("plain-n", lambda: plain.run(n)),
            ("js-1", lambda: page.javascript(1)),
            ("js-n", lambda: page.javascript(n)),
            ("series-plain", plain.series),
            ("series-browser", page.client_series),
            ("series-js", page.series),
        ]
        for _ in range(args.repeat):
            for key, run in runs:
                measured(key, run)
        profile = page.profile()
    elapsed = time.monotonic() - began
    load = (load_before, os.getloadavg()[0])

    report(args, methods, profile, count, cpu.available, elapsed, load)
    return 0


def _other_children(known: dict[int, str], name: str) -> dict[int, str]:
    """Children of this process not in ``known``: Playwright's driver, say."""
    table = _process_table()
    me = os.getpid()
    return {
        pid: name for pid, row in table.items() if row[0] == me and pid not in known
    }


def report(
    args: argparse.Namespace,
    methods: dict[str, Method],
    profile: dict[str, Any],
    count: int,
    cpu: bool,
    elapsed: float,
    load: tuple[float, float],
) -> None:
    n = args.in_flight
    driver = "Playwright" if args.playwright else "the DevTools pipe, no Playwright"
    http = "HTTP/1.1 only" if args.http1 else "HTTP/2 offered"
    print(
        f"## Frame retrieval: {count} CT frames of 512x512x2 bytes, one request per "
        f"frame, TLS + Basic Auth through nginx ({http}; Chromium driven by {driver})\n"
    )
    print(table(methods, count, cpu))
    print()
    print("browser / plain " + ratios(methods, "browser", n))
    print(
        "first visit (a preflight per frame): browser / plain "
        + ratios(methods, "first", n)
    )
    print("fetch() from JS / plain " + ratios(methods, "js", n))
    whole = methods["series-browser"].seconds / methods["series-plain"].seconds
    print(
        f"browser client / plain, whole series in one request: {whole:.2f}; "
        f"target <= {TARGET_RATIO}"
    )

    def preflights(*kinds: str) -> int:
        chosen = [m for m in methods.values() if m.kind in kinds]
        return sum(s.preflights for m in chosen for s in m.samples)

    print(
        f"\nMedians of {args.repeat} passes, interleaved; the first visits are one pass "
        "each, in a fresh browser context. Warm-up not included: one QIDO-RS request "
        "per connection before timing (the TLS handshake, and that URL's preflight)."
    )
    print(
        f"CORS preflights (OPTIONS in the nginx access log): {preflights('first')} in "
        f"the two first-visit passes ({2 * count} frame GETs), "
        f"{preflights('browser', 'js')} in all later passes over the frames (cached "
        "per URL, Access-Control-Max-Age 600)."
    )
    print(
        "Whole series in one request: retrieve_frames asks per instance (the series "
        f"is {count} single-frame instances), so the whole-series rows ask Orthanc "
        "for the series' DICOM files in one multipart answer, the only series-level "
        "form its plugin serves: the client's retrieve_series_files, and the same "
        "request from plain Python and from JavaScript."
    )
    print("\n## Where one sequential pass of the browser client spends its time\n")
    print(profile_table(profile, count, methods["browser-1"]))
    if cpu:
        print()
        for key in ("browser-1", "js-1", "plain-1"):
            print(cpu_line(methods[key], count))
    print(
        f"\nWhole run {elapsed:.0f} s, test bed and browser included. Load average "
        f"{load[0]:.1f} before, {load[1]:.1f} after, on {os.cpu_count()} cores: other "
        "work on the machine slows both clients, the browser more (it needs more CPU)."
    )


def interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--repeat", type=int, default=3, help="passes per method (default 3)"
    )
    parser.add_argument(
        "--in-flight", type=int, default=6, help="concurrent requests (default 6)"
    )
    parser.add_argument(
        "--http1", action="store_true",
        help="HTTP/1.1 only on the TLS port (default: HTTP/2 offered through ALPN)",
    )  # fmt: skip
    parser.add_argument(
        "--playwright", action="store_true",
        help="drive Chromium with Playwright (DevTools Network domain on)",
    )  # fmt: skip
    parser.add_argument(
        "--committed", action="store_true",
        help="serve the viewer as last committed (git archive HEAD), not the work tree",
    )  # fmt: skip
    args = parser.parse_args()
    if args.repeat < 1 or args.in_flight < 2:
        parser.error("--repeat must be 1 or more and --in-flight 2 or more")

    # SIGTERM unwinds like Ctrl-C, so the servers and the browser are stopped.
    signal.signal(signal.SIGTERM, interrupt)
    try:
        return benchmark(args)
    except KeyboardInterrupt:
        print(
            "interrupted; the test bed, site and browser are stopped", file=sys.stderr
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
