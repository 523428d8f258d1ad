"""The facade the Settings > Servers view and the DICOMweb client use.

Plain data in, plain data out: every call that changes something returns the new
``SettingsState`` and has already saved it (write-through), so the view only renders.
When saving fails (``StorageQuotaError``), the state stays what it was before the call.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from app.settings.auth import AuthConfig
from app.settings.errors import (
    InvalidSettingError,
    MissingSecretError,
    ReadOnlyServerError,
    ServerValidationError,
    StorageQuotaError,
    UnknownServerError,
)
from app.settings.model import (
    SECRET,
    AuthType,
    ServerConfig,
    ServerDraft,
    new_server_id,
    unique_name,
)
from app.settings.notices import Notice, NoticeCode, NoticeLevel
from app.settings.roots import RootsPreview, ServerRoots, preview_roots, resolve_roots
from app.settings.secret_store import SecretStore, mask_secret
from app.settings.storage import backup_keys, load_settings, save_settings
from app.settings.store import KeyValueStore
from app.settings.transfer import (
    ORGANISATION_SOURCE,
    ImportResult,
    export_servers,
    import_servers,
    load_organisation_servers,
    make_unique,
)
from app.settings.validation import (
    ValidationResult,
    check_password,
    normalise_token,
    validate_draft,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerEntry:
    """A server in the dropdown; ``read_only`` for the organisation's presets."""

    server: ServerConfig
    read_only: bool


@dataclass(frozen=True)
class SettingsState:
    """Every known server (presets first), the selection, and what to tell the user.

    ``notices`` belong to the call that returned this state (the load, a save...).
    """

    entries: tuple[ServerEntry, ...]
    selected_server_id: str | None
    notices: tuple[Notice, ...] = ()

    def find(self, server_id: str) -> ServerEntry | None:
        """The entry with this UUID, or ``None``."""
        return next((e for e in self.entries if e.server.server_id == server_id), None)

    @property
    def selected(self) -> ServerEntry | None:
        """The selected entry, or ``None`` when there is no server at all."""
        if self.selected_server_id is None:
            return None
        return self.find(self.selected_server_id)

    @property
    def user_servers(self) -> tuple[ServerConfig, ...]:
        """The servers the user made (the ones that are saved and exported)."""
        return tuple(e.server for e in self.entries if not e.read_only)


def _secret_word(auth_type: AuthType) -> str:
    return "token" if auth_type is AuthType.BEARER else "password"


class SettingsService:
    """Loads, edits and saves the servers; call ``load`` first.

    ``persistent`` is the browser's ``localStorage``, ``session`` its
    ``sessionStorage``; ``organisation_json`` is the text of ``assets/servers.json``
    (``None`` when it could not be fetched).
    """

    def __init__(
        self,
        persistent: KeyValueStore,
        session: KeyValueStore,
        organisation_json: str | None,
        organisation_source: str = ORGANISATION_SOURCE,
    ) -> None:
        self._persistent = persistent
        self._secrets = SecretStore(session=session, persistent=persistent)
        self._organisation_json = organisation_json
        self._organisation_source = organisation_source
        self._state = SettingsState(entries=(), selected_server_id=None)

    @property
    def state(self) -> SettingsState:
        """The current state, as the last call returned it."""
        return self._state

    # Loading ---------------------------------------------------------------------

    def load(self) -> SettingsState:
        """Read the organisation's presets and the saved servers.

        Never raises: damaged settings, a broken organisation list or a full store are
        reported in ``notices``.
        """
        presets, notices_of_list = load_organisation_servers(
            self._organisation_json, self._organisation_source
        )
        loaded = load_settings(self._persistent, presets)
        notices = [*notices_of_list, *loaded.notices]
        entries = (
            *(ServerEntry(server, read_only=True) for server in presets),
            *(ServerEntry(server, read_only=False) for server in loaded.servers),
        )

        selected = loaded.selected_server_id
        ids = [entry.server.server_id for entry in entries]
        if selected not in ids:
            fallback = ids[0] if ids else None
            if selected is not None:
                notices.append(self._selection_reset_notice(entries, fallback))
            selected = fallback
        state = SettingsState(entries, selected, tuple(notices))

        if loaded.needs_saving:
            state = self._write_back(state, loaded.migrated_secrets)
        self._state = state
        logger.info(
            "Loaded %d presets and %d servers", len(presets), len(loaded.servers)
        )
        return state

    @staticmethod
    def _selection_reset_notice(
        entries: Sequence[ServerEntry], fallback: str | None
    ) -> Notice:
        now = next(
            (e.server.name for e in entries if e.server.server_id == fallback), None
        )
        then = f'"{now}" is selected now.' if now else "Create a server to continue."
        return Notice(
            NoticeCode.SELECTION_RESET,
            f"The server you had selected is no longer in the list. {then}",
            level=NoticeLevel.INFO,
        )

    def _write_back(
        self, state: SettingsState, secrets: Mapping[str, str]
    ) -> SettingsState:
        """Save a migrated or repaired document; the old text stays if that fails.

        Secrets a migration took out go to the persistent store first, so the old
        document (which still holds them) is only replaced once they are safe.
        """
        try:
            for server_id, secret in secrets.items():
                self._secrets.put(server_id, secret, remember=True)
            save_settings(
                self._persistent, state.user_servers, state.selected_server_id
            )
        except StorageQuotaError:
            notice = Notice(
                NoticeCode.MIGRATION_NOT_SAVED,
                "Your saved servers were read, but the updated copy could not be "
                "written back because the browser storage is full. They are used as "
                "read and will be written when you next save settings.",
            )
            return replace(state, notices=(*state.notices, notice))
        return state

    # Choosing and editing ----------------------------------------------------------

    def select(self, server_id: str) -> SettingsState:
        """Make ``server_id`` the selected server and save the choice."""
        self._entry(server_id)
        return self._commit(self._state.entries, server_id)

    def new_draft(self) -> ServerDraft:
        """An empty form for "Create New Server", with a fresh UUID."""
        return ServerDraft(server_id=new_server_id())

    def edit_draft(self, server_id: str) -> ServerDraft:
        """The form filled with a server and its secret, if this device has it.

        A preset's form can be edited too: saving it makes a user copy (``save_draft``).
        A preset's "Remember on this device" shows where its secret is kept, since the
        preset record itself is the organisation's and never changes.
        """
        entry = self._entry(server_id)
        draft = ServerDraft.from_server(
            entry.server, self._secrets.get(server_id) or ""
        )
        if entry.read_only and entry.server.auth_type is not AuthType.NONE:
            return replace(
                draft, remember_secret=self._secrets.is_remembered(server_id)
            )
        return draft

    def duplicate_draft(self, server_id: str) -> ServerDraft:
        """A new form copied from a server: fresh UUID, a " (2)" name, same secret."""
        server = self._entry(server_id).server
        taken = [entry.server.name for entry in self._state.entries]
        return replace(
            ServerDraft.from_server(server, self._secrets.get(server_id) or ""),
            server_id=new_server_id(),
            name=unique_name(server.name, taken),
            derived_from=server.server_id,
            original_id=None,
        )

    def validate(self, draft: ServerDraft) -> ValidationResult:
        """Errors per field and the normalised server, as the user types.

        The name and UUID must differ from every other server's; the server being
        edited (``draft.original_id``) does not count.
        """
        others = [
            entry.server
            for entry in self._state.entries
            if entry.server.server_id != draft.original_id
        ]
        return validate_draft(draft, others)

    def preview_roots(self, draft: ServerDraft) -> RootsPreview | None:
        """The roots the form resolves to so far (see ``roots.preview_roots``)."""
        return preview_roots(draft)

    def save_draft(self, draft: ServerDraft) -> SettingsState:
        """ "Save Settings": store the form's server, select it and save everything.

        A new draft is added; an edited user server is replaced in place. An edited
        preset is never changed: the edit becomes a new user server derived from it
        (new UUID when the UUID was kept, " (2)" name when the name was kept), with a
        ``PRESET_COPIED`` notice. Saving a preset's form with no change but its password
        or token (and "Remember on this device") keeps the secret for the preset and
        selects it. Raises ``ServerValidationError`` while a field is invalid.
        """
        result = self.validate(draft)
        if result.server is None:
            raise ServerValidationError(result.errors)
        server = result.server
        original = self._state.find(draft.original_id) if draft.original_id else None
        entries = self._state.entries
        notices: list[Notice] = []
        replaced_id: str | None = None

        if original is not None and original.read_only:
            preset = original.server
            if replace(server, remember_secret=preset.remember_secret) == preset:
                state = self.select(preset.server_id)
                remember = server.remember_secret
                self._store_secret(
                    replace(preset, remember_secret=remember), result.secret
                )
                return state
            server = replace(
                server,
                server_id=(
                    new_server_id()
                    if server.server_id == preset.server_id
                    else server.server_id
                ),
                name=unique_name(server.name, [e.server.name for e in entries]),
                derived_from=preset.server_id,
            )
            notices.append(
                Notice(
                    NoticeCode.PRESET_COPIED,
                    f'Your changes to "{preset.name}" were saved as your own server '
                    f'"{server.name}"; the organisation\'s "{preset.name}" is still '
                    "in the list.",
                    level=NoticeLevel.INFO,
                )
            )
            entries = (*entries, ServerEntry(server, read_only=False))
        elif original is not None:
            replaced_id = original.server.server_id
            entries = tuple(
                ServerEntry(server, read_only=False) if entry is original else entry
                for entry in entries
            )
        else:
            entries = (*entries, ServerEntry(server, read_only=False))

        state = self._commit(entries, server.server_id, notices)
        logger.info("Saved a server (%s)", server.auth_type.value)
        if replaced_id is not None and replaced_id != server.server_id:
            self._secrets.remove(replaced_id)
        self._store_secret(server, result.secret)
        return state

    def delete(self, server_id: str) -> SettingsState:
        """Delete a user server and its secret; presets raise ``ReadOnlyServerError``.

        When it was selected, the first server in the list is selected instead.
        """
        entry = self._entry(server_id)
        if entry.read_only:
            raise ReadOnlyServerError(entry.server.name, "deleted")
        entries = tuple(e for e in self._state.entries if e is not entry)
        selected = self._state.selected_server_id
        if selected == server_id:
            selected = entries[0].server.server_id if entries else None
        state = self._commit(entries, selected)
        self._secrets.remove(server_id)
        logger.info("Deleted a server")
        return state

    # Secrets ---------------------------------------------------------------------

    def get_secret(self, server_id: str) -> str | None:
        """The password or token of a server, if this device has it (to fill a form)."""
        self._entry(server_id)
        return self._secrets.get(server_id)

    def masked_secret(self, server_id: str) -> str:
        """What the page may show of the secret ("" when there is none)."""
        return mask_secret(self.get_secret(server_id) or "")

    def set_secret(self, server_id: str, secret: str) -> None:
        """Give a server its password or token, e.g. after the session lost it.

        Stored per the server's "Remember on this device". Raises
        ``InvalidSettingError`` (field ``secret``) when the value breaks the rules or
        the server uses no authentication.
        """
        server = self._entry(server_id).server
        if server.auth_type is AuthType.NONE:
            raise InvalidSettingError(
                SECRET,
                f'The server "{server.name}" uses no authentication, so it has no '
                "password or token to set. Choose an Authentication Type first.",
            )
        if server.auth_type is AuthType.BASIC:
            value = check_password(secret)
        else:
            value = normalise_token(secret)
        self._store_secret(server, value)

    def _store_secret(self, server: ServerConfig, secret: str) -> None:
        if server.auth_type is AuthType.NONE or not secret:
            self._secrets.remove(server.server_id)
            return
        try:
            self._secrets.put(server.server_id, secret, remember=server.remember_secret)
        except StorageQuotaError as error:
            raise StorageQuotaError(
                error.key,
                f'The server "{server.name}" is saved, but its '
                f"{_secret_word(server.auth_type)} could not be stored because the "
                'browser storage is full. Free some space, or untick "Remember on '
                'this device", and enter it again.',
            ) from error

    def auth_for(self, server_id: str) -> AuthConfig:
        """How to authenticate requests to a server, secret included.

        Raises ``MissingSecretError`` when the server needs a password or token this
        device does not have (the session that held it has ended).
        """
        server = self._entry(server_id).server
        if server.auth_type is AuthType.NONE:
            return AuthConfig()
        secret = self._secrets.get(server_id)
        if secret is None:
            raise MissingSecretError(server.name, _secret_word(server.auth_type))
        return AuthConfig(server.auth_type, server.username, secret)

    # Roots, import and export ------------------------------------------------------

    def resolve_roots(self, server_id: str) -> ServerRoots:
        """The root and the QIDO-RS, WADO-RS and WADO-URI roots of a server."""
        return resolve_roots(self._entry(server_id).server)

    def export_user_servers(self) -> str:
        """The user's servers as a server list file (no passwords or tokens)."""
        return export_servers(self._state.user_servers)

    def read_import(self, text: str, source: str) -> ImportResult:
        """Read a file to import; nothing changes until ``add_servers`` is called.

        Raises ``SettingsImportError`` naming ``source`` and the problem.
        """
        existing = [entry.server for entry in self._state.entries]
        return import_servers(text, source=source, existing=existing)

    def add_servers(self, servers: Sequence[ServerConfig]) -> SettingsState:
        """Add (imported) servers as user servers and save; the selection stays.

        Names and UUIDs are made unique again, in case the list changed since the
        file was read; the returned notices say so.
        """
        existing = [entry.server for entry in self._state.entries]
        unique, notices = make_unique(servers, existing)
        entries = (
            *self._state.entries,
            *(ServerEntry(server, read_only=False) for server in unique),
        )
        state = self._commit(entries, self._state.selected_server_id, notices)
        logger.info("Added %d servers", len(unique))
        return state

    # Backups ---------------------------------------------------------------------

    def backup_keys(self) -> list[str]:
        """The keys under which damaged settings were kept, oldest first."""
        return backup_keys(self._persistent)

    def read_backup(self, key: str) -> str | None:
        """The exact text kept under a backup key (to offer it as a download)."""
        return self._persistent.get_item(key) if key in self.backup_keys() else None

    def discard_backup(self, key: str) -> None:
        """Delete one backup, e.g. to free space; other keys are left alone."""
        if key in self.backup_keys():
            self._persistent.remove_item(key)

    # Helpers -----------------------------------------------------------------------

    def _entry(self, server_id: str) -> ServerEntry:
        entry = self._state.find(server_id)
        if entry is None:
            raise UnknownServerError(server_id)
        return entry

    def _commit(
        self,
        entries: tuple[ServerEntry, ...],
        selected_server_id: str | None,
        notices: Sequence[Notice] = (),
    ) -> SettingsState:
        """Save, then adopt the new state; a failed save leaves both unchanged."""
        user_servers = [entry.server for entry in entries if not entry.read_only]
        save_settings(self._persistent, user_servers, selected_server_id)
        self._state = SettingsState(entries, selected_server_id, tuple(notices))
        return self._state
