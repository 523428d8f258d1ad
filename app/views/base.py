"""What every view offers the shell: show it for a route, hide it."""

from __future__ import annotations

from typing import Protocol

from app.routing import Route


class View(Protocol):
    """One panel of the page. ``show`` may be called again with a new route."""

    def show(self, route: Route) -> None: ...

    def hide(self) -> None: ...
