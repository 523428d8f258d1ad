"""The DICOMs view: the study list of the selected server."""

from __future__ import annotations

from app.browser import dom
from app.routing import Route


class DicomsView:
    def __init__(self) -> None:
        self.section = dom.by_id("view-dicoms")
        self.body = dom.by_id("dicoms-body")

    def show(self, route: Route) -> None:
        if not self.body.hasChildNodes():
            self.body.append(dom.create("p", "No study list yet.", class_="muted"))
        self.section.hidden = False

    def hide(self) -> None:
        self.section.hidden = True
