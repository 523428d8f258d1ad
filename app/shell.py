"""The frame of the page: routes the URL hash to one view at a time."""

from __future__ import annotations

import logging
from typing import Any

from app.browser import automation, boot, dom, packages, site, web_storage
from app.routing import DICOMS, NOT_FOUND, SETTINGS, Route, parse_hash
from app.settings.service import SettingsService
from app.settings.transfer import ORGANISATION_SOURCE
from app.views.base import View
from app.views.dicoms import DicomsView
from app.views.not_found import NotFoundView
from app.views.settings import SettingsView

logger = logging.getLogger(__name__)


class Shell:
    def __init__(self, views: dict[str, View]) -> None:
        self.views = views
        self.current: View | None = None
        self.current_hash = ""
        self.nav_links = list(dom.document.querySelectorAll(".main-nav a[data-route]"))

    def start(self) -> None:
        dom.on(dom.window, "hashchange", lambda _event: self.route())
        dom.on(dom.window, "beforeunload", self.before_unload)
        self.route()

    def route(self, _event: Any = None) -> None:
        route = parse_hash(dom.location_hash())
        leaving = (
            self.current is not None and self.current is not self.views[route.view]
        )
        if leaving and not self.may_leave():
            # Stay, and put the address back without a new history entry.
            dom.set_location_hash(self.current_hash, replace=True)
            return
        if route.view != NOT_FOUND and route.hash != dom.location_hash():
            # Canonical hash (e.g. "#/settings" -> "#/settings/servers") without a
            # new history entry, so Back still leaves the page in one step.
            dom.set_location_hash(route.hash, replace=True)
        self.current_hash = route.hash
        self.show(route)

    def may_leave(self) -> bool:
        confirm = getattr(self.current, "confirm_leave", None)
        return confirm is None or bool(confirm())

    def before_unload(self, event: Any) -> None:
        dirty = getattr(self.current, "has_unsaved_changes", None)
        if dirty is not None and dirty():
            event.preventDefault()

    def show(self, route: Route) -> None:
        view = self.views[route.view]
        if self.current is not None and self.current is not view:
            self.current.hide()
        self.current = view
        view.show(route)
        for link in self.nav_links:
            if link.dataset.route == route.view:
                link.setAttribute("aria-current", "page")
            else:
                link.removeAttribute("aria-current")
        logger.info("view %s shown", route.view)


def show_selected_server(service: SettingsService) -> None:
    selected = service.state.selected
    badge = dom.by_id("server-badge")
    badge.textContent = f"Server: {selected.server.name}" if selected else "No server"


async def start_app() -> None:
    organisation = await site.fetch_text(ORGANISATION_SOURCE)
    service = SettingsService(
        web_storage.local_storage(), web_storage.session_storage(), organisation
    )
    service.load()
    show_selected_server(service)

    def on_saved() -> None:
        show_selected_server(service)

    shell = Shell(
        {
            DICOMS: DicomsView(service),
            SETTINGS: SettingsView(service, on_saved),
            NOT_FOUND: NotFoundView(),
        }
    )
    shell.start()
    automation.install()
    boot.mark_ready()
    dom.spawn(packages.ensure_imaging_packages())


def start() -> None:
    def failed(error: BaseException) -> None:
        boot.fail(
            "The viewer could not start",
            f"Starting the views failed ({type(error).__name__}).",
            [
                "Reload the page.",
                "Technical details are in the browser's developer console.",
            ],
        )

    dom.spawn(start_app(), failed)
