"""The Settings view and its tabs."""

from __future__ import annotations

from app.browser import dom
from app.routing import Route


class SettingsView:
    def __init__(self) -> None:
        self.section = dom.by_id("view-settings")
        self.body = dom.by_id("settings-body")

    def show(self, route: Route) -> None:
        self.section.hidden = False

    def hide(self) -> None:
        self.section.hidden = True
