"""Routes of the viewer, kept in the URL hash so reload and Back work.

Pure logic: the shell (``app/shell.py``) feeds it ``location.hash`` and shows the
view it names. A hash route needs no server support, which matters because the
viewer is a static site that hospitals host on whatever web server they have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DICOMS = "dicoms"
SETTINGS = "settings"
NOT_FOUND = "not-found"

DEFAULT_HASH = "#/dicoms"
SETTINGS_TABS = ("servers",)
STUDIES = "studies"
# A DICOM UID: digits and dots, at most 64 characters (PS3.5 9.1).
_UID = re.compile(r"^[0-9]+(\.[0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Route:
    """A parsed hash: which view, which part of it, and the canonical hash."""

    view: str
    tab: str = ""
    hash: str = DEFAULT_HASH
    requested: str = ""
    study_uid: str = ""


def study_hash(study_uid: str) -> str:
    """The address of an opened study, so reload and Back keep it."""
    return f"#/{DICOMS}/{STUDIES}/{study_uid}"


def parse_hash(raw: str) -> Route:
    """Map ``location.hash`` to a route.

    An empty hash opens the DICOMs view and ``#/dicoms/studies/<uid>`` one study in
    it; ``#/settings`` opens its first tab so a bookmark of the settings keeps
    working when tabs are added.
    """
    path = raw.removeprefix("#").split("?", 1)[0].strip("/")
    parts = [part for part in path.split("/") if part]

    if not parts or parts == [DICOMS]:
        return Route(DICOMS, hash=DEFAULT_HASH, requested=raw)

    if len(parts) == 3 and parts[:2] == [DICOMS, STUDIES]:
        uid = parts[2]
        if len(uid) <= 64 and _UID.match(uid):
            return Route(DICOMS, hash=study_hash(uid), requested=raw, study_uid=uid)
        return Route(NOT_FOUND, hash=raw, requested=raw)

    if parts[0] == SETTINGS:
        if len(parts) == 1:
            tab = SETTINGS_TABS[0]
        elif len(parts) == 2 and parts[1] in SETTINGS_TABS:
            tab = parts[1]
        else:
            return Route(NOT_FOUND, hash=raw, requested=raw)
        return Route(SETTINGS, tab=tab, hash=f"#/{SETTINGS}/{tab}", requested=raw)

    return Route(NOT_FOUND, hash=raw, requested=raw)
