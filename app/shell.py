"""The frame of the page: routes the URL hash to one view at a time."""

from __future__ import annotations

import logging
from typing import Any

from app.browser import boot, dom, packages
from app.routing import DICOMS, NOT_FOUND, SETTINGS, Route, parse_hash
from app.views.base import View
from app.views.dicoms import DicomsView
from app.views.not_found import NotFoundView
from app.views.settings import SettingsView

logger = logging.getLogger(__name__)


class Shell:
    def __init__(self, views: dict[str, View]) -> None:
        self.views = views
        self.current: View | None = None
        self.nav_links = list(dom.document.querySelectorAll(".main-nav a[data-route]"))

    def start(self) -> None:
        dom.on(dom.window, "hashchange", lambda _event: self.route())
        self.route()

    def route(self, _event: Any = None) -> None:
        route = parse_hash(dom.location_hash())
        if route.view != NOT_FOUND and route.hash != dom.location_hash():
            # Canonical hash (e.g. "#/settings" -> "#/settings/servers") without a
            # new history entry, so Back still leaves the page in one step.
            dom.set_location_hash(route.hash, replace=True)
        self.show(route)

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


def start() -> None:
    shell = Shell(
        {DICOMS: DicomsView(), SETTINGS: SettingsView(), NOT_FOUND: NotFoundView()}
    )
    shell.start()
    boot.mark_ready()
    dom.spawn(packages.ensure_imaging_packages())
