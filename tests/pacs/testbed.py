"""A real PACS on loopback for the tests: Orthanc behind nginx, all state in a temp folder.

``PacsTestBed().start()`` chooses free ports, writes every config file into a fresh
temporary folder, starts Orthanc and nginx from those files, waits until both answer,
and (unless ``load_data=False``) generates and uploads the test data of ``dataset.py``.
``stop()`` ends both servers and removes the folder. The bed is a context manager too.

What answers, all on 127.0.0.1::

    Orthanc 1.10 (DICOMweb + GDCM)  http://127.0.0.1:ORTHANC            orthanc_url
    nginx TLS server, one port, two prefixes (certificate: ca_cert_path):
      Basic Auth    https://127.0.0.1:TLS/zhiva/pacs/rs/   -> /dicom-web/  tls_base
                    https://127.0.0.1:TLS/zhiva/pacs/wado  -> /wado
      Bearer token  https://127.0.0.1:TLS/bearer/pacs/rs/  -> /dicom-web/  bearer_base
                    https://127.0.0.1:TLS/bearer/pacs/wado -> /wado
    nginx plain http server, no auth:
                    http://127.0.0.1:OPEN/open/pacs/rs/    -> /dicom-web/  open_base
                    http://127.0.0.1:OPEN/open/pacs/wado   -> /wado

A ``*_base`` has no trailing slash: DICOMweb clients use ``base + "/rs"`` as the
QIDO-RS/WADO-RS root and ``base + "/wado"`` for WADO-URI. Credentials are new random
values on every start: ``username``/``password`` for Basic Auth, ``token`` for Bearer.
They live in memory only (nginx gets a password hash and the token in its own
config, mode 0600, inside the temporary folder).

Every nginx location answers ``OPTIONS`` with 204 before any authentication, and adds
CORS headers (Origin echoed) to every answer, errors included. nginx rewrites
Orthanc's absolute ``/dicom-web/`` URLs (RetrieveURL, BulkDataURI) in DICOM JSON
bodies to the public prefix of the location that was asked.

Temporary folder (``root``; removed by ``stop()`` unless ``keep_files`` or the
environment variable ``ZHIVA_PACS_KEEP=1``)::

    orthanc/config.json  orthanc/storage/  orthanc/logs/Orthanc.log  orthanc/console.log
    nginx/conf/nginx.conf  nginx/conf/htpasswd  nginx/tls/cert.pem  nginx/tls/key.pem
    nginx/logs/access.log  nginx/logs/error.log  nginx/temp/  nginx/console.log
    data/                    generated DICOM files, see dataset.py

One access log line per request (``access_log_path``), never with a header value::

    127.0.0.1 [2026-01-01T10:00:00+00:00] 8443 "GET /zhiva/pacs/rs/studies HTTP/1.1" 200
    1234 auth=basic origin="http://127.0.0.1:8000" rt=0.004

``auth=`` is ``none``, ``basic``, ``bearer`` or ``other``: which kind of
``Authorization`` header the client sent.

Orthanc 1.10 has no bind-address option: it listens on all interfaces, and
``RemoteAccessAllowed: false`` makes it refuse every client that is not loopback.
Its ``DefaultEncoding`` is UTF-8 here, or QIDO answers lose non-Latin-1 letters.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import ctypes
import http.client
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import ssl
import string
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from tests.pacs.dataset import LoadedData, load_dataset

__all__ = ["HttpAnswer", "LoadedData", "PacsTestBed", "PacsTestBedError"]

log = logging.getLogger(__name__)

PLUGIN_DIR = Path("/usr/share/orthanc/plugins")
PLUGINS = (PLUGIN_DIR / "libOrthancDicomWeb.so", PLUGIN_DIR / "libOrthancGdcm.so")

# GDCM decodes only JPEG 2000 here; DCMTK inside Orthanc handles the rest, as in a
# default Debian install (PS3.5 Annex A.4.4 syntaxes).
JPEG2000_SYNTAXES = (
    "1.2.840.10008.1.2.4.90",
    "1.2.840.10008.1.2.4.91",
    "1.2.840.10008.1.2.4.92",
    "1.2.840.10008.1.2.4.93",
)

START_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0
REALM = "Zhiva test PACS"
# Debian puts the daemons in /usr/sbin, which a normal user's PATH often lacks.
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


class PacsTestBedError(RuntimeError):
    """The test bed could not start; the message quotes the servers' logs."""


@dataclass(frozen=True)
class HttpAnswer:
    """One HTTP answer, read whole."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (any case), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def json(self) -> Any:
        return json.loads(self.body)


class _Utf8Request:
    """Send the request line as UTF-8 instead of http.client's strict ASCII.

    So a test can show what Orthanc 1.10 does with a raw non-ASCII match key: its
    HTTP server answers 400, and it does not percent-decode QIDO values either.
    """

    def _encode_request(self, request: str) -> bytes:
        return request.encode("utf-8")


class _HTTPConnection(_Utf8Request, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Utf8Request, http.client.HTTPSConnection):
    pass


def http_request(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    context: ssl.SSLContext | None = None,
    timeout: float = 120.0,
) -> HttpAnswer:
    """Make one request on a new connection; ``url`` may hold raw non-ASCII text."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = _HTTPSConnection(host, port, timeout=timeout, context=context)
    else:
        conn = _HTTPConnection(host, port, timeout=timeout)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(method, target, body=body, headers=headers or {})
        answer = conn.getresponse()
        return HttpAnswer(answer.status, tuple(answer.getheaders()), answer.read())
    finally:
        conn.close()


class PacsTestBed:
    """Orthanc behind nginx on 127.0.0.1, started from config files in a temp folder."""

    def __init__(
        self,
        *,
        load_data: bool = True,
        keep_files: bool | None = None,
        http2: bool = True,
        orthanc_binary: str = "Orthanc",
        nginx_binary: str = "nginx",
        openssl_binary: str = "openssl",
    ) -> None:
        self.load_data = load_data
        if keep_files is None:
            keep_files = os.environ.get("ZHIVA_PACS_KEEP") == "1"
        self.keep_files = keep_files
        self.http2 = http2
        self._binaries = {
            "Orthanc": orthanc_binary,
            "nginx": nginx_binary,
            "openssl": openssl_binary,
        }
        self.root: Path | None = None
        self.data: LoadedData | None = None
        self.orthanc: subprocess.Popen[bytes] | None = None
        self.nginx: subprocess.Popen[bytes] | None = None
        self.orthanc_port = self.tls_port = self.open_port = 0
        self.username = "zhiva-test"
        self.password = ""
        self.token = ""
        self.start_seconds = self.stop_seconds = 0.0
        self._ssl_context: ssl.SSLContext | None = None

    # -- public surface ---------------------------------------------------------------

    @property
    def orthanc_url(self) -> str:
        return f"http://127.0.0.1:{self.orthanc_port}"

    @property
    def tls_base(self) -> str:
        return f"https://127.0.0.1:{self.tls_port}/zhiva/pacs"

    @property
    def bearer_base(self) -> str:
        return f"https://127.0.0.1:{self.tls_port}/bearer/pacs"

    @property
    def open_base(self) -> str:
        return f"http://127.0.0.1:{self.open_port}/open/pacs"

    @property
    def ports(self) -> tuple[int, int, int]:
        return (self.orthanc_port, self.tls_port, self.open_port)

    @property
    def ca_cert_path(self) -> Path:
        return self._path("nginx", "tls", "cert.pem")

    @property
    def access_log_path(self) -> Path:
        return self._path("nginx", "logs", "access.log")

    @property
    def basic_authorization(self) -> str:
        """The ``Authorization`` header value for the Basic Auth location."""
        pair = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    @property
    def bearer_authorization(self) -> str:
        """The ``Authorization`` header value for the Bearer token location."""
        return f"Bearer {self.token}"

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts only this run's self-signed certificate."""
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context(cafile=self.ca_cert_path)
        return self._ssl_context

    def request(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        timeout: float = 120.0,
    ) -> HttpAnswer:
        """``http_request`` that trusts this bed's certificate for https URLs."""
        context = self.ssl_context() if url.startswith("https:") else None
        return http_request(
            url, method=method, headers=headers, body=body, context=context,
            timeout=timeout,
        )  # fmt: skip

    def __enter__(self) -> PacsTestBed:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- start ------------------------------------------------------------------------

    def start(self) -> PacsTestBed:
        """Start Orthanc and nginx and load the data; on any failure stop what runs."""
        if self.root is not None:
            raise PacsTestBedError("This test bed was started already; make a new one.")

        began = time.monotonic()
        binaries = {name: self._find_binary(name) for name in self._binaries}
        self.root = Path(tempfile.mkdtemp(prefix="zhiva-pacs-"))
        # nginx workers run as nobody when the master is root: they must be able to
        # walk down to conf/htpasswd and the temp folders.
        self.root.chmod(0o711)
        atexit.register(self.stop)
        try:
            self.orthanc_port, self.tls_port, self.open_port = _free_ports(3)
            self.password = secrets.token_urlsafe(18)
            self.token = secrets.token_urlsafe(32)
            self._start_orthanc(binaries["Orthanc"])
            self._start_nginx(binaries["nginx"], binaries["openssl"])
            if self.load_data:
                self.data = load_dataset(self._path("data"), self.orthanc_url)
        except BaseException:
            self.stop()
            raise

        self.start_seconds = time.monotonic() - began
        log.info("PACS test bed up in %.1f s at %s", self.start_seconds, self.tls_base)
        return self

    def _find_binary(self, name: str) -> str:
        found = shutil.which(self._binaries[name], path=SEARCH_PATH)
        if found is None:
            raise PacsTestBedError(
                f"{name} ({self._binaries[name]!r}) was not found on PATH or in "
                "/usr/sbin. Install it: apt-get install orthanc orthanc-dicomweb "
                "orthanc-gdcm nginx openssl."
            )
        if name == "Orthanc":
            missing = [str(p) for p in PLUGINS if not p.is_file()]
            if missing:
                raise PacsTestBedError(
                    f"Orthanc plugin(s) missing: {', '.join(missing)}. Install them: "
                    "apt-get install orthanc-dicomweb orthanc-gdcm."
                )
        return found

    def _start_orthanc(self, binary: str) -> None:
        folder = self._path("orthanc")
        for sub in ("storage", "logs"):
            (folder / sub).mkdir(parents=True)
        config = _orthanc_config(self.orthanc_port, folder / "storage")
        config_path = folder / "config.json"
        config_path.write_text(json.dumps(config, indent=2))
        argv = [binary, f"--logdir={folder / 'logs'}", str(config_path)]
        self.orthanc = _spawn(argv, folder / "console.log", cwd=folder)

        logs = [folder / "logs" / "Orthanc.log", folder / "console.log"]
        probe = f"{self.orthanc_url}/dicom-web/studies?limit=1"
        self._wait_ready("Orthanc", self.orthanc, lambda: self.request(probe), logs)

    def _start_nginx(self, binary: str, openssl: str) -> None:
        folder = self._path("nginx")
        for sub in ("conf", "tls", "logs", "temp"):
            (folder / sub).mkdir(parents=True, mode=0o711)
        folder.chmod(0o711)
        _make_certificate(openssl, folder / "tls")
        _write_htpasswd(
            openssl, folder / "conf" / "htpasswd", self.username, self.password
        )
        conf = folder / "conf" / "nginx.conf"
        conf.touch(mode=0o600)
        conf.write_text(self._nginx_config(folder))

        # -e: the error log before the config is read, not /var/log/nginx.
        argv = [binary, "-p", f"{folder}/", "-c", "conf/nginx.conf"]
        argv += ["-e", "logs/error.log"]
        self.nginx = _spawn(argv, folder / "console.log", cwd=folder)

        logs = [folder / "logs" / "error.log", folder / "console.log"]
        probes = [
            (self.tls_base, {"Authorization": self.basic_authorization}),
            (self.bearer_base, {"Authorization": self.bearer_authorization}),
            (self.open_base, {}),
        ]
        for base, headers in probes:
            url = f"{base}/rs/studies?limit=1"
            self._wait_ready(
                f"nginx ({url})", self.nginx,
                lambda url=url, headers=headers: self.request(url, headers=headers),
                logs,
            )  # fmt: skip

    def _wait_ready(
        self,
        name: str,
        proc: subprocess.Popen[bytes],
        probe: Callable[[], HttpAnswer],
        logs: list[Path],
    ) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        last = "no answer yet"
        while True:
            code = proc.poll()
            if code is not None:
                raise PacsTestBedError(
                    f"{name} exited with code {code} while starting.\n{_tails(logs)}"
                )
            try:
                answer = probe()
                if answer.status == 200:
                    return
                last = f"HTTP {answer.status}: {answer.body[:200]!r}"
            except (OSError, http.client.HTTPException) as error:
                last = f"{type(error).__name__}: {error}"
            if time.monotonic() > deadline:
                raise PacsTestBedError(
                    f"{name} did not answer 200 within {START_TIMEOUT:.0f} s "
                    f"(last try: {last}).\n{_tails(logs)}"
                )
            time.sleep(0.05)

    def _nginx_config(self, folder: Path) -> str:
        basic = _Template(_BASIC_AUTH).substitute(
            realm=_quote(REALM), htpasswd=folder / "conf" / "htpasswd"
        )
        # Basic Auth and Bearer share the TLS server; the open location has its own.
        tls = _locations("/zhiva/pacs", "https", basic)
        tls += "\n" + _locations("/bearer/pacs", "https", _BEARER_AUTH)
        return _Template(_NGINX_CONF).substitute(
            orthanc_port=self.orthanc_port,
            tls_port=self.tls_port,
            open_port=self.open_port,
            http2=" http2" if self.http2 else "",
            cert=folder / "tls" / "cert.pem",
            key=folder / "tls" / "key.pem",
            # token_urlsafe yields [A-Za-z0-9_-], nothing a regex or nginx quotes mind.
            token=self.token,
            realm=_quote(REALM),
            tls_locations=textwrap.indent(tls, "    " * 2),
            open_locations=textwrap.indent(
                _locations("/open/pacs", "http", ""), "    " * 2
            ),
        )

    # -- stop -------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop nginx and Orthanc (SIGTERM, then SIGKILL) and remove the temp folder.

        Safe to call more than once, and after a failed start.
        """
        began = time.monotonic()
        running = [p for p in (self.nginx, self.orthanc) if p is not None]
        for proc in running:
            _signal_group(proc, signal.SIGTERM)
        for proc in running:
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log.warning("pid %d ignored SIGTERM for %.0f s", proc.pid, STOP_TIMEOUT)
                _signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=STOP_TIMEOUT)
            # nginx workers share the master's process group: make sure none is left.
            _signal_group(proc, signal.SIGKILL)

        if self.root is not None and not self.keep_files:
            shutil.rmtree(self.root, ignore_errors=True)
        atexit.unregister(self.stop)
        if running:
            self.stop_seconds = time.monotonic() - began

    # -- helpers ----------------------------------------------------------------------

    def _path(self, *parts: str) -> Path:
        if self.root is None:
            raise PacsTestBedError("The test bed has not been started.")
        return self.root.joinpath(*parts)


class _Template(string.Template):
    # nginx uses `$` for its own variables.
    delimiter = "@"


_BASIC_AUTH = """\
    auth_basic @realm;
    auth_basic_user_file @htpasswd;
"""

# `return` runs in the rewrite phase, so a bad token never reaches Orthanc; the
# challenge header is added on the way out, when $status is known.
_BEARER_AUTH = """\
    if ($bearer_ok = 0) {
        return 401;
    }
    add_header WWW-Authenticate $bearer_challenge always;
"""

_NGINX_CONF = """\
# Written by tests/pacs/testbed.py for one test run.
worker_processes 1;
daemon off;
pid logs/nginx.pid;
lock_file logs/nginx.lock;
error_log logs/error.log warn;

events {
    worker_connections 512;
}

http {
    client_body_temp_path temp/client_body;
    proxy_temp_path temp/proxy;
    fastcgi_temp_path temp/fastcgi;
    uwsgi_temp_path temp/uwsgi;
    scgi_temp_path temp/scgi;

    default_type application/octet-stream;
    server_tokens off;
    client_max_body_size 0;
    proxy_read_timeout 300s;

    map $http_authorization $auth_scheme {
        "" none;
        "~*^basic\\s" basic;
        "~*^bearer\\s" bearer;
        default other;
    }
    # A regex, because plain map strings match case-insensitively.
    map $http_authorization $bearer_ok {
        "~^Bearer @token$" 1;
        default 0;
    }
    map $status $bearer_challenge {
        401 'Bearer realm=@realm';
        default "";
    }

    log_format testbed '$remote_addr [$time_iso8601] $server_port "$request" '
                       '$status $body_bytes_sent auth=$auth_scheme '
                       'origin="$http_origin" rt=$request_time';
    access_log logs/access.log testbed;

    upstream orthanc {
        server 127.0.0.1:@orthanc_port;
        keepalive 16;
    }

    server {
        listen 127.0.0.1:@tls_port ssl@http2;
        server_name localhost 127.0.0.1;
        ssl_certificate @cert;
        ssl_certificate_key @key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:zhiva_tls:1m;

@tls_locations
        location / {
            return 404;
        }
    }

    server {
        listen 127.0.0.1:@open_port;
        server_name localhost 127.0.0.1;

@open_locations
        location / {
            return 404;
        }
    }
}
"""


_LOCATION = """\
location @match {
    # Preflights carry no credentials (Fetch standard, CORS-preflight request): answer
    # them in the rewrite phase, before the access phase where authentication runs.
    if ($request_method = OPTIONS) {
        return 204;
    }
@auth
    # `always`: a page must be able to read 401, 404 and 5xx answers too.
    add_header Access-Control-Allow-Origin $http_origin always;
    add_header Vary Origin always;
    add_header Access-Control-Allow-Methods "GET, HEAD, POST, OPTIONS" always;
    add_header Access-Control-Allow-Headers "Authorization, Accept, Content-Type" always;
    add_header Access-Control-Expose-Headers "@expose" always;
    add_header Access-Control-Max-Age 600 always;

    proxy_pass http://orthanc@upstream;
    # proxy_set_header is not inherited into a block that sets any, so all sit here;
    # without Connection "" nginx gives up upstream keep-alive.
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Authorization "";
    # sub_filter cannot rewrite compressed bodies.
    proxy_set_header Accept-Encoding "";
    # Orthanc builds RetrieveURL and BulkDataURI from this and its own root.
    proxy_set_header Forwarded "proto=@proto;host=$http_host";
@rewrite}
"""

_REWRITE = """\
    sub_filter_types application/dicom+json application/json;
    sub_filter_once off;
    sub_filter "://$http_host/dicom-web/" "://$http_host@public/rs/";
"""

EXPOSED_HEADERS = (
    "Content-Type, Content-Length, Content-Location, WWW-Authenticate, Warning"
)


def _locations(public: str, proto: str, auth: str) -> str:
    """The DICOMweb (prefix) and WADO-URI (exact) locations of one public prefix."""
    common = {"public": public, "proto": proto, "auth": auth, "expose": EXPOSED_HEADERS}
    rs = _Template(_LOCATION).substitute(
        common, match=f"{public}/rs/", upstream="/dicom-web/",
        rewrite=_Template(_REWRITE).substitute(public=public),
    )  # fmt: skip
    wado = _Template(_LOCATION).substitute(
        common, match=f"= {public}/wado", upstream="/wado", rewrite=""
    )
    return rs + "\n" + wado


def _orthanc_config(port: int, storage: Path) -> dict[str, Any]:
    return {
        "Name": "ZhivaTestPACS",
        "StorageDirectory": str(storage),
        "IndexDirectory": str(storage),
        "StorageCompression": False,
        "HttpServerEnabled": True,
        "HttpPort": port,
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False,
        "HttpCompressionEnabled": False,
        "KeepAlive": True,
        "TcpNoDelay": True,
        "DicomServerEnabled": False,
        "SaveJobs": False,
        "LimitFindResults": 0,
        # With the default (Latin1) the DICOMweb plugin answers QIDO as ISO_IR 100 and
        # drops every character outside Latin-1 ("Łukasz^Żółć" became "ukasz^ó").
        "DefaultEncoding": "Utf8",
        "Plugins": [str(p) for p in PLUGINS],
        "DicomWeb": {
            "Enable": True,
            "Root": "/dicom-web/",
            "EnableWado": True,
            "WadoRoot": "/wado",
            "Ssl": False,
            "QidoCaseSensitive": False,
            "StudiesMetadata": "Full",
            "SeriesMetadata": "Full",
        },
        "Gdcm": {"Enable": True, "RestrictTransferSyntaxes": list(JPEG2000_SYNTAXES)},
    }


def _make_certificate(openssl: str, folder: Path) -> None:
    # A P-256 key is made instantly, unlike RSA; Debian's openssl.cnf marks a
    # `req -x509` certificate as a CA, so clients can trust it directly.
    _run(
        [
            openssl, "req", "-x509", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
            "-days", "7", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]
    )  # fmt: skip
    (folder / "key.pem").chmod(0o600)
    (folder / "cert.pem").chmod(0o644)


def _write_htpasswd(openssl: str, path: Path, user: str, password: str) -> None:
    # -stdin keeps the password out of the process list.
    digest = _run([openssl, "passwd", "-apr1", "-stdin"], stdin=password).strip()
    path.write_text(f"{user}:{digest}\n")
    # Read by the workers, which run as nobody when the master is root.
    path.chmod(0o644)


def _run(argv: list[str], stdin: str | None = None) -> str:
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise PacsTestBedError(
            f"{Path(argv[0]).name} {argv[1]} failed with code {done.returncode}: "
            f"{done.stderr.strip()}"
        )
    return done.stdout


def _free_ports(count: int) -> list[int]:
    """Ports free on every interface (Orthanc binds all), held together so distinct."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("", 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _parent_death_hook() -> Any:
    """On Linux, a preexec hook that makes the child get SIGTERM if we die.

    atexit does not run when the test process is killed with SIGKILL; the kernel's
    parent-death signal (prctl(2) PR_SET_PDEATHSIG) still ends the servers then.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def hook() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))

    return hook


_PREEXEC = _parent_death_hook()


def _spawn(argv: list[str], console: Path, cwd: Path) -> subprocess.Popen[bytes]:
    # Own session, so a Ctrl-C in pytest does not reach the servers before stop()
    # does, and so killpg reaches nginx's workers too.
    with console.open("ab") as out:
        return subprocess.Popen(
            argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_PREEXEC,
        )  # fmt: skip


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    # With start_new_session the group id is the child's pid.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _tails(paths: list[Path], lines: int = 25) -> str:
    parts = []
    for path in paths:
        try:
            text = path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            continue
        parts.append(f"--- last lines of {path} ---\n" + "\n".join(text))
    return "\n".join(parts) or "(no log output)"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
