"""The panel for a hash that names no view."""

from __future__ import annotations

from app.browser import dom
from app.routing import Route


class NotFoundView:
    def __init__(self) -> None:
        self.section = dom.by_id("view-not-found")

    def show(self, route: Route) -> None:
        dom.by_id(
            "not-found-text"
        ).textContent = (
            f"There is no page at “{route.requested}”. Use the navigation above."
        )
        self.section.hidden = False

    def hide(self) -> None:
        self.section.hidden = True
