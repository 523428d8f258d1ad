"""Files the user saves from the page (exports, kept backups)."""

from __future__ import annotations

import js

from app.browser.images import object_url, revoke


def download(filename: str, text: str, media_type: str) -> None:
    """Offer ``text`` as a file download named ``filename``."""
    url = object_url(text, media_type)
    link = js.document.createElement("a")
    link.href = url
    link.download = filename
    js.document.body.append(link)
    link.click()
    link.remove()
    revoke(url)
