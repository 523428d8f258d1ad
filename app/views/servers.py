"""Settings > Servers: pick, add, check and keep DICOMweb servers.

The view is thin: every rule lives in ``app.settings`` (validation, roots, storage)
and every request in ``app.dicomweb`` (the connection test). This module reads the
form into a ``ServerDraft``, shows what the core says about it, and wires buttons.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from app.browser import dom, files
from app.settings import model
from app.settings.errors import SettingsError, StorageQuotaError
from app.settings.model import AuthType, ServerDraft, new_server_id
from app.settings.notices import Notice
from app.settings.secret_store import mask_secret
from app.settings.service import SettingsService, SettingsState
from app.views import feedback
from app.views.connection import ConnectionPanel

logger = logging.getLogger(__name__)

NEW_SERVER_VALUE = "__new__"

# Form controls by draft field. Text inputs hold strings, checkboxes booleans.
TEXT_INPUTS = {
    model.NAME: "server-name",
    model.URL: "server-url",
    model.SERVER_ID: "server-uuid",
    model.SERVER_POSTFIX: "server-postfix",
    model.WADO_URI_POSTFIX: "server-wado-uri-postfix",
    model.WADO_POSTFIX: "server-wado-postfix",
    model.QIDO_POSTFIX: "server-qido-postfix",
    model.USERNAME: "server-username",
}
SELECTS = {
    model.AUTH_TYPE: "server-auth-type",
    model.IMAGE_RENDERING: "server-image-rendering",
    model.THUMBNAIL_RENDERING: "server-thumbnail-rendering",
}
CHECKBOXES = {
    model.QIDO_SUPPORTS_INCLUDE_FIELD: "server-include-field",
    model.ENABLE_STUDY_LAZY_LOAD: "server-lazy-load",
    model.SUPPORTS_FUZZY_MATCHING: "server-fuzzy",
    model.REMEMBER_SECRET: "server-remember",
}
SECRET_INPUTS = {AuthType.BASIC: "server-password", AuthType.BEARER: "server-token"}
# Each field's error line is its control's id + "-error" (index.html).
ERROR_IDS = {
    key: f"{element}-error" for key, element in {**TEXT_INPUTS, **SELECTS}.items()
}


class ServersTab:
    """The Servers tab; ``on_saved`` is told when the selected server may have changed."""

    def __init__(self, service: SettingsService, on_saved: Callable[[], None]) -> None:
        self.service = service
        self.on_saved = on_saved
        self.form = dom.by_id("server-form")
        self.select = dom.by_id("server-select")
        self.notices = dom.by_id("settings-notices")
        self.connection = ConnectionPanel(service, self.read_form, self.apply_detected)
        # What the form held when it was last filled, to tell unsaved edits.
        self.loaded_draft = ServerDraft()
        # The secret of the server being edited stays out of the DOM; an empty
        # password field means "keep it".
        self.stored_secret = ""
        self.bound = False

    # Showing -------------------------------------------------------------------------

    def show(self) -> None:
        if not self.bound:
            self.bind()
            self.bound = True
            state = self.service.state
            self.render_notices(state.notices)
            self.fill_dropdown(state)
            self.load_server(state.selected_server_id)

    def bind(self) -> None:
        report = feedback.reporter(self.notices)
        for element_id in (*TEXT_INPUTS.values(), "server-password", "server-token"):
            dom.on(dom.by_id(element_id), "input", lambda _e: self.refresh(), report)
        for element_id in (*SELECTS.values(), *CHECKBOXES.values()):
            dom.on(dom.by_id(element_id), "change", lambda _e: self.refresh(), report)
        dom.on(self.select, "change", lambda _e: self.on_pick(), report)
        dom.on(
            dom.by_id("generate-uuid"),
            "click",
            lambda _e: self.on_generate_uuid(),
            report,
        )
        dom.on(dom.by_id("create-server"), "click", lambda _e: self.on_create(), report)
        dom.on(dom.by_id("save-settings"), "click", lambda _e: self.on_save(), report)
        dom.on(
            dom.by_id("duplicate-server"),
            "click",
            lambda _e: self.on_duplicate(),
            report,
        )
        dom.on(dom.by_id("delete-server"), "click", lambda _e: self.on_delete(), report)
        dom.on(
            dom.by_id("export-servers"), "click", lambda _e: self.on_export(), report
        )
        dom.on(dom.by_id("import-servers"), "change", self.on_import, report)
        dom.on(self.form, "submit", lambda event: event.preventDefault(), report)
        self.connection.bind(report)

    def fill_dropdown(
        self, state: SettingsState, draft_label: str | None = None
    ) -> None:
        dom.clear(self.select)
        for entry in state.entries:
            suffix = " (organisation)" if entry.read_only else ""
            option = dom.create("option", entry.server.name + suffix)
            option.value = entry.server.server_id
            self.select.append(option)
        if draft_label is not None:
            option = dom.create("option", draft_label)
            option.value = NEW_SERVER_VALUE
            self.select.append(option)
            self.select.value = NEW_SERVER_VALUE
        elif state.selected_server_id:
            self.select.value = state.selected_server_id

    def load_server(self, server_id: str | None) -> None:
        if server_id is None:
            self.fill_form(self.service.new_draft(), secret="")
            return
        draft = self.service.edit_draft(server_id)
        self.fill_form(replace(draft, secret=""), secret=draft.secret)

    def fill_form(self, draft: ServerDraft, secret: str) -> None:
        self.stored_secret = secret
        for key, element_id in {**TEXT_INPUTS, **SELECTS}.items():
            dom.by_id(element_id).value = getattr(draft, key)
        for key, element_id in CHECKBOXES.items():
            dom.by_id(element_id).checked = bool(getattr(draft, key))
        for element_id in SECRET_INPUTS.values():
            element = dom.by_id(element_id)
            element.value = draft.secret
            element.placeholder = (
                f"saved ({mask_secret(secret)}); type to replace" if secret else ""
            )
        self.editing = draft
        self.loaded_draft = self.read_form()
        self.connection.clear()
        self.refresh()

    # Reading and checking ------------------------------------------------------------

    def read_form(self) -> ServerDraft:
        values: dict[str, Any] = {}
        for key, element_id in {**TEXT_INPUTS, **SELECTS}.items():
            values[key] = str(dom.by_id(element_id).value)
        for key, element_id in CHECKBOXES.items():
            values[key] = bool(dom.by_id(element_id).checked)
        auth = values[model.AUTH_TYPE]
        typed = (
            str(dom.by_id(SECRET_INPUTS[AuthType(auth)]).value)
            if auth != "none"
            else ""
        )
        values[model.SECRET] = typed or self.stored_secret if auth != "none" else ""
        return replace(self.editing, **values)

    def refresh(self) -> None:
        """Re-validate as the user types: field errors, roots, save button."""
        draft = self.read_form()
        result = self.service.validate(draft)
        auth = draft.auth_type
        for element in dom.document.querySelectorAll(".auth-basic"):
            element.hidden = auth != AuthType.BASIC.value
        for element in dom.document.querySelectorAll(".auth-bearer"):
            element.hidden = auth != AuthType.BEARER.value
        for element in dom.document.querySelectorAll(".auth-secret"):
            element.hidden = auth == AuthType.NONE.value

        errors = dict(result.errors)
        shown_ids = dict(ERROR_IDS)
        if auth in SECRET_INPUTS:
            shown_ids[model.SECRET] = SECRET_INPUTS[AuthType(auth)] + "-error"
        for key, error_id in shown_ids.items():
            message = errors.get(key, "")
            dom.by_id(error_id).textContent = message
            control_id = error_id.removesuffix("-error")
            dom.by_id(control_id).setAttribute(
                "aria-invalid", "true" if message else "false"
            )
            dom.by_id(control_id).setAttribute("aria-describedby", error_id)
        for secret_id in SECRET_INPUTS.values():
            if shown_ids.get(model.SECRET) != secret_id + "-error":
                dom.by_id(secret_id + "-error").textContent = ""

        valid = result.is_valid
        self.form.classList.toggle("invalid", not valid)
        status = dom.by_id("form-status")
        if valid:
            status.textContent = "Unsaved changes." if self.is_dirty() else ""
        else:
            count = len(errors)
            status.textContent = (
                f"Not a valid server yet: {count} field{'s' if count > 1 else ''} "
                "to correct."
            )
        dom.by_id("save-settings").disabled = not valid
        self.show_roots(draft)
        entry = self.service.state.find(self.editing.original_id or "")
        read_only = entry is not None and entry.read_only
        dom.by_id("delete-server").disabled = entry is None or read_only
        dom.by_id("duplicate-server").disabled = entry is None
        dom.by_id("server-kind").textContent = (
            "Organisation preset: saving changes keeps them as your own server."
            if read_only
            else ""
        )

    def show_roots(self, draft: ServerDraft) -> None:
        preview = self.service.preview_roots(draft)
        values = {
            "roots-qido": preview.qido_rs if preview else None,
            "roots-wado": preview.wado_rs if preview else None,
            "roots-wado-uri": preview.wado_uri if preview else None,
        }
        for element_id, value in values.items():
            dom.by_id(element_id).textContent = (
                value or "— (check the URL and postfixes)"
            )

    def is_dirty(self) -> bool:
        return self.read_form() != self.loaded_draft

    def confirm_leave(self) -> bool:
        """True when the user may leave (nothing unsaved, or they agreed to lose it)."""
        if not self.bound or not self.is_dirty():
            return True
        return bool(
            dom.window.confirm(
                "You have unsaved changes to this server. Leave without saving?"
            )
        )

    # Actions -------------------------------------------------------------------------

    def on_pick(self) -> None:
        chosen = str(self.select.value)
        if chosen == NEW_SERVER_VALUE:
            return
        if not self.confirm_leave():
            self.select.value = self.editing.original_id or NEW_SERVER_VALUE
            return
        self.fill_dropdown(self.service.state)
        self.select.value = chosen
        self.load_server(chosen)
        self.render_notices(())

    def on_generate_uuid(self) -> None:
        dom.by_id("server-uuid").value = new_server_id()
        self.refresh()

    def on_create(self) -> None:
        if not self.confirm_leave():
            return
        self.fill_dropdown(self.service.state, draft_label="New server (not saved)")
        self.fill_form(self.service.new_draft(), secret="")
        self.loaded_draft = ServerDraft()  # a new form counts as unsaved
        self.render_notices(())
        dom.by_id("server-name").focus()

    def on_duplicate(self) -> None:
        source = self.editing.original_id
        if source is None or not self.confirm_leave():
            return
        draft = self.service.duplicate_draft(source)
        self.fill_dropdown(self.service.state, draft_label=f"{draft.name} (not saved)")
        self.fill_form(replace(draft, secret=""), secret=draft.secret)
        self.loaded_draft = ServerDraft()
        self.render_notices(
            (
                feedback.info(
                    "A copy is ready. Change what you need, then Save Settings."
                ),
            )
        )

    def on_save(self) -> None:
        draft = self.read_form()
        try:
            state = self.service.save_draft(draft)
        except StorageQuotaError as error:
            self.render_notices((feedback.error(str(error)),))
            return
        except SettingsError as error:
            self.render_notices((feedback.error(str(error)),))
            self.refresh()
            return
        saved = state.selected
        self.fill_dropdown(state)
        self.load_server(state.selected_server_id)
        name = saved.server.name if saved else ""
        self.render_notices(
            (*state.notices, feedback.success(f'Settings saved. "{name}" is selected.'))
        )
        self.on_saved()

    def on_delete(self) -> None:
        entry = self.service.state.find(self.editing.original_id or "")
        if entry is None or entry.read_only:
            return
        question = f'Delete the server "{entry.server.name}"? This cannot be undone.'
        if not dom.window.confirm(question):
            return
        try:
            state = self.service.delete(entry.server.server_id)
        except SettingsError as error:
            self.render_notices((feedback.error(str(error)),))
            return
        self.fill_dropdown(state)
        self.load_server(state.selected_server_id)
        self.render_notices((feedback.success(f'"{entry.server.name}" was deleted.'),))
        self.on_saved()

    def on_export(self) -> None:
        text = self.service.export_user_servers()
        files.download("zhiva-servers.json", text, "application/json")
        count = len(self.service.state.user_servers)
        self.render_notices(
            (
                feedback.success(
                    f"Exported {count} server{'s' if count != 1 else ''} to "
                    "zhiva-servers.json. Passwords and tokens are not in the file."
                ),
            )
        )

    async def on_import(self, event: Any) -> None:
        chosen = event.target.files
        if not chosen or chosen.length == 0:
            return
        upload = chosen.item(0)
        name = str(upload.name)
        text = str(await upload.text())
        event.target.value = ""
        try:
            result = self.service.read_import(text, name)
            state = self.service.add_servers(result.servers)
        except SettingsError as error:
            self.render_notices((feedback.error(str(error)),))
            return
        count = len(result.servers)
        self.fill_dropdown(state)
        self.select.value = self.editing.original_id or state.selected_server_id
        self.render_notices(
            (
                *result.notices,
                *state.notices,
                feedback.success(
                    f"Imported {count} server{'s' if count != 1 else ''} from {name}."
                ),
            )
        )

    def apply_detected(self, include_field: bool | None, fuzzy: bool | None) -> None:
        """Set the capability checkboxes from what the connection test saw."""
        if include_field is not None:
            dom.by_id(
                CHECKBOXES[model.QIDO_SUPPORTS_INCLUDE_FIELD]
            ).checked = include_field
        if fuzzy is not None:
            dom.by_id(CHECKBOXES[model.SUPPORTS_FUZZY_MATCHING]).checked = fuzzy
        self.refresh()

    # Notices -------------------------------------------------------------------------

    def render_notices(self, notices: tuple[Notice | feedback.Message, ...]) -> None:
        feedback.render(self.notices, notices, self.service)
