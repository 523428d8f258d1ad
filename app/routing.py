"""Routes of the viewer, kept in the URL hash so reload and Back work.

Pure logic: the shell (``app/shell.py``) feeds it ``location.hash`` and shows the
view it names. A hash route needs no server support, which matters because the
viewer is a static site that hospitals host on whatever web server they have.
"""

from __future__ import annotations

from dataclasses import dataclass

DICOMS = "dicoms"
SETTINGS = "settings"
NOT_FOUND = "not-found"

DEFAULT_HASH = "#/dicoms"
SETTINGS_TABS = ("servers",)


@dataclass(frozen=True, slots=True)
class Route:
    """A parsed hash: which view, which part of it, and the canonical hash."""

    view: str
    tab: str = ""
    hash: str = DEFAULT_HASH
    requested: str = ""


def parse_hash(raw: str) -> Route:
    """Map ``location.hash`` to a route.

    An empty hash opens the DICOMs view; ``#/settings`` opens its first tab so a
    bookmark of the settings keeps working when tabs are added.
    """
    path = raw.removeprefix("#").split("?", 1)[0].strip("/")
    parts = [part for part in path.split("/") if part]

    if not parts or parts == [DICOMS]:
        return Route(DICOMS, hash=DEFAULT_HASH, requested=raw)

    if parts[0] == SETTINGS:
        if len(parts) == 1:
            tab = SETTINGS_TABS[0]
        elif len(parts) == 2 and parts[1] in SETTINGS_TABS:
            tab = parts[1]
        else:
            return Route(NOT_FOUND, hash=raw, requested=raw)
        return Route(SETTINGS, tab=tab, hash=f"#/{SETTINGS}/{tab}", requested=raw)

    return Route(NOT_FOUND, hash=raw, requested=raw)
