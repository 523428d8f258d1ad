"""serve.py on CPython: types, cache rules, security headers, what is not served."""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import serve

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    server = serve.SiteServer(("127.0.0.1", 0), serve.SiteHandler)
    server.quiet = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/assets/vendor/pyodide-0.27.7/pyodide.asm.wasm", "application/wasm"),
        ("/assets/vendor/pyodide-0.27.7/pyodide.mjs", "text/javascript"),
        ("/assets/vendor/pyscript-0.6.66/core.js", "text/javascript"),
        ("/", "text/html; charset=utf-8"),
        ("/app/main.py", "text/x-python; charset=utf-8"),
    ],
)
def test_mime_types(port: int, path: str, content_type: str) -> None:
    response = get(port, path)
    assert response.status == 200
    assert response.getheader("Content-Type") == content_type


def test_runtime_is_cached_for_a_year_and_app_code_is_revalidated(port: int) -> None:
    runtime = get(port, "/assets/vendor/pyodide-0.27.7/python_stdlib.zip")
    assert runtime.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    for path in ("/", "/pyscript.toml", "/app/shell.py", "/assets/boot.js"):
        assert get(port, path).getheader("Cache-Control") == "no-cache", path


def test_security_headers(port: int) -> None:
    response = get(port, "/")
    csp = response.getheader("Content-Security-Policy")
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    connect = next(part for part in csp.split("; ") if part.startswith("connect-src"))
    assert connect.split()[1:] == [
        "'self'",
        "https:",
        "http://localhost:*",
        "http://127.0.0.1:*",
    ]
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Referrer-Policy") == "no-referrer"
    assert response.getheader("X-Frame-Options") == "DENY"


@pytest.mark.parametrize(
    "path", ["/tests/unit/test_serve.py", "/serve.py", "/.git/HEAD"]
)
def test_only_the_site_is_served(port: int, path: str) -> None:
    assert get(port, path).status == 404


def test_a_taken_port_is_reported_plainly() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(ROOT / "serve.py"), "--port", str(busy)],
            capture_output=True,
            text=True,
            timeout=10,
        )
    assert result.returncode == 1
    assert f"Port {busy} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_ctrl_c_stops_cleanly() -> None:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "serve.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert "Serving the viewer at http://127.0.0.1:" in process.stdout.readline()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Stopped." in out
    assert "Traceback" not in err
