"""The Settings view and its tabs (only Servers for now)."""

from __future__ import annotations

from collections.abc import Callable

from app.browser import dom
from app.routing import Route
from app.settings.service import SettingsService
from app.views.servers import ServersTab


class SettingsView:
    def __init__(self, service: SettingsService, on_saved: Callable[[], None]) -> None:
        self.section = dom.by_id("view-settings")
        self.servers = ServersTab(service, on_saved)

    def show(self, route: Route) -> None:
        self.section.hidden = False
        self.servers.show()

    def hide(self) -> None:
        self.section.hidden = True

    def confirm_leave(self) -> bool:
        return self.servers.confirm_leave()

    def has_unsaved_changes(self) -> bool:
        return self.servers.bound and self.servers.is_dirty()
