"""The "Test connection" part of the server form."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from app.browser import dom
from app.browser.fetch_transport import FetchTransport
from app.dicomweb.probe import ProbeResult, probe_server
from app.server_access import endpoints_for
from app.settings.auth import AuthConfig
from app.settings.model import AuthType, ServerDraft
from app.settings.service import SettingsService

logger = logging.getLogger(__name__)


def on_off(value: bool) -> str:
    return "on" if value else "off"


class ConnectionPanel:
    """Runs the probe with what the form holds now (saved or not)."""

    def __init__(
        self,
        service: SettingsService,
        read_form: Callable[[], ServerDraft],
        apply_detected: Callable[[bool | None, bool | None], None],
    ) -> None:
        self.service = service
        self.read_form = read_form
        self.apply_detected = apply_detected
        self.result = dom.by_id("connection-result")
        self.button = dom.by_id("test-connection")
        self.task: asyncio.Task[Any] | None = None

    def bind(self, report: Callable[[BaseException], None]) -> None:
        dom.on(self.button, "click", lambda _event: self.start(report), report)

    def clear(self) -> None:
        if self.task is not None:
            self.task.cancel()
        dom.clear(self.result)

    def start(self, report: Callable[[BaseException], None]) -> None:
        self.clear()
        self.task = dom.spawn(self.run(), report)

    async def run(self) -> None:
        validation = self.service.validate(self.read_form())
        server = validation.server
        if server is None:
            self.say("error", "Correct the fields marked above, then test again.")
            return
        auth = AuthConfig(server.auth_type, server.username, validation.secret)
        if server.auth_type is not AuthType.NONE and not validation.secret:
            self.say("error", "Enter the password or token, then test again.")
            return
        self.say("info", "Testing…")
        self.button.disabled = True
        try:
            result = await probe_server(endpoints_for(server, auth), FetchTransport())
        finally:
            self.button.disabled = False
        logger.info("connection test: %s", result.outcome.value)
        self.show(
            result, server.qido_supports_include_field, server.supports_fuzzy_matching
        )

    def say(self, level: str, text: str) -> Any:
        dom.clear(self.result)
        box = dom.create("div", class_=f"notice {level}")
        box.setAttribute("role", "status")
        box.append(dom.create("p", text))
        self.result.append(box)
        return box

    def show(self, result: ProbeResult, include_field: bool, fuzzy: bool) -> None:
        box = self.say("success" if result.ok else "error", result.message)
        box.dataset.outcome = result.outcome.value
        box.append(dom.create("p", f"URL tried: {result.url}", class_="muted"))
        if result.checks:
            checks = dom.create("ul")
            for check in result.checks:
                checks.append(dom.create("li", check))
            box.append(checks)
        if not result.ok:
            return

        findings = []
        if result.include_field is not None:
            findings.append(
                "honoured includefield"
                if result.include_field
                else "did not return the include field asked for"
            )
        if result.fuzzy_matching is not None:
            findings.append(
                "sent no warning about fuzzy matching (it may still ignore it)"
                if result.fuzzy_matching
                else "said it does not support fuzzy matching"
            )
        if findings:
            box.append(dom.create("p", "The server " + "; ".join(findings) + "."))
        differs = (
            result.include_field is not None and result.include_field != include_field
        ) or (result.fuzzy_matching is not None and result.fuzzy_matching != fuzzy)
        if differs:
            wanted_include = (
                include_field if result.include_field is None else result.include_field
            )
            wanted_fuzzy = (
                fuzzy if result.fuzzy_matching is None else result.fuzzy_matching
            )
            label = (
                f"Set QIDO Supports Include Field {on_off(wanted_include)} and Supports "
                f"Fuzzy Matching {on_off(wanted_fuzzy)}"
            )
            button = dom.create("button", label, type="button", id="apply-detected")
            dom.on(
                button,
                "click",
                lambda _event: self.apply_detected(
                    result.include_field, result.fuzzy_matching
                ),
            )
            box.append(button)
