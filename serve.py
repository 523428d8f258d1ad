#!/usr/bin/env python3
"""Serve the viewer as a static site: ``python3 serve.py [--host H] [--port P]``.

Standard library only, so it runs on any machine with Python 3.11+, also one
with no network.  The viewer itself calls the PACS from the browser; this
server only hands out files, with the MIME types, cache rules and security
headers the browser runtime needs.
"""

from __future__ import annotations

import argparse
import errno
import http.server
import sys
from pathlib import Path
from typing import ClassVar

SITE_ROOT = Path(__file__).resolve().parent

# Pyodide refuses to compile wasm served under another type, and module scripts
# must be JavaScript; older Pythons map .mjs to nothing.
MIME_TYPES = {
    ".wasm": "application/wasm",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".toml": "text/plain; charset=utf-8",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".py": "text/x-python; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".dcm": "application/dicom",
}

# Only these top-level entries are part of the site; tests, scripts and the
# repository's own files are not served.
PUBLIC = {"index.html", "pyscript.toml", "app", "assets", "favicon.ico"}

# The vendored runtime lives in versioned folders (see scripts/vendor_runtime.py),
# so a browser may keep it for a year; everything else is revalidated on each
# visit so a deployment of new app code shows at once.
IMMUTABLE_PREFIX = "/assets/vendor/"

# 'wasm-unsafe-eval' lets Pyodide compile its WebAssembly; 'unsafe-eval' is
# needed because Pyodide builds JavaScript functions at run time for its FFI.
# connect-src allows any https PACS plus loopback over http, as the settings do.
# CSP has no syntax for IPv6 literals, so http://[::1] is not reachable from a
# page served by this server (https://[::1] is, through "https:").
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https: http://localhost:* http://127.0.0.1:*",
        "connect-src 'self' https: http://localhost:* http://127.0.0.1:*",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from SITE_ROOT with the viewer's headers."""

    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        **MIME_TYPES,
    }
    server_version = "zhiva-serve"
    sys_version = ""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, directory=str(SITE_ROOT), **kwargs)  # type: ignore[arg-type]

    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        top = path.lstrip("/").split("/", 1)[0]
        if path != "/" and top not in PUBLIC:
            self.send_error(404, "Not part of the site")
            return None
        return super().send_head()

    def end_headers(self) -> None:
        path = self.path.split("?", 1)[0]
        if path.startswith(IMMUTABLE_PREFIX):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if self.server.quiet:  # type: ignore[attr-defined]
            return
        super().log_message(format, *args)


class SiteServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    quiet = False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the DICOM viewer.")
    parser.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="default: 8000")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args(argv)

    try:
        server = SiteServer((args.host, args.port), SiteHandler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(
                f"Port {args.port} on {args.host} is already in use. Stop the program "
                f"using it, or pick another port: python3 serve.py --port "
                f"{args.port + 1}",
                file=sys.stderr,
            )
            return 1
        print(f"Cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    server.quiet = args.quiet

    host = f"[{args.host}]" if ":" in args.host else args.host
    port = server.server_address[1]
    print(f"Serving the viewer at http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopped.")
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
