"""Files the user saves from the page (exports, kept backups)."""

from __future__ import annotations

import js
from pyodide.ffi import to_js


def download(filename: str, text: str, media_type: str) -> None:
    """Offer ``text`` as a file download named ``filename``."""
    blob = js.Blob.new(
        to_js([text]), to_js({"type": media_type}, dict_converter=js.Object.fromEntries)
    )
    url = js.URL.createObjectURL(blob)
    link = js.document.createElement("a")
    link.href = url
    link.download = filename
    js.document.body.append(link)
    link.click()
    link.remove()
    js.URL.revokeObjectURL(url)
