"""Bytes and text as ``blob:`` URLs, for ``<img>`` thumbnails and downloads."""

from __future__ import annotations

import js
from pyodide.ffi import to_js


def object_url(data: bytes | str, media_type: str) -> str:
    """A ``blob:`` URL for ``data``; revoke it with :func:`revoke` when done."""
    options = to_js({"type": media_type}, dict_converter=js.Object.fromEntries)
    blob = js.Blob.new(to_js([to_js(data)]), options)
    return str(js.URL.createObjectURL(blob))


def revoke(url: str) -> None:
    js.URL.revokeObjectURL(url)
