"""Settings > Servers: the pure core (no browser imports).

The view and the DICOMweb client use ``SettingsService``; the browser layer provides
two ``KeyValueStore`` implementations (``localStorage`` and ``sessionStorage``).
"""

from app.settings.auth import AuthConfig
from app.settings.errors import (
    InvalidSettingError,
    MissingSecretError,
    ReadOnlyServerError,
    ServerValidationError,
    SettingsError,
    SettingsImportError,
    SettingsStorageError,
    StorageQuotaError,
    UnknownServerError,
)
from app.settings.model import (
    AUTH_TYPE_LABELS,
    FIELD_LABELS,
    AuthType,
    RenderingProtocol,
    ServerConfig,
    ServerDraft,
    new_server_id,
)
from app.settings.notices import Notice, NoticeCode, NoticeLevel
from app.settings.roots import RootsPreview, ServerRoots, preview_roots, resolve_roots
from app.settings.secret_store import SecretStore, mask_secret
from app.settings.service import ServerEntry, SettingsService, SettingsState
from app.settings.storage import BACKUP_KEY_PREFIX, SETTINGS_KEY
from app.settings.store import KeyValueStore, MemoryStore
from app.settings.transfer import ImportResult
from app.settings.validation import ValidationResult, validate_draft

__all__ = [
    "AUTH_TYPE_LABELS",
    "BACKUP_KEY_PREFIX",
    "FIELD_LABELS",
    "SETTINGS_KEY",
    "AuthConfig",
    "AuthType",
    "ImportResult",
    "InvalidSettingError",
    "KeyValueStore",
    "MemoryStore",
    "MissingSecretError",
    "Notice",
    "NoticeCode",
    "NoticeLevel",
    "ReadOnlyServerError",
    "RenderingProtocol",
    "RootsPreview",
    "SecretStore",
    "ServerConfig",
    "ServerDraft",
    "ServerEntry",
    "ServerRoots",
    "ServerValidationError",
    "SettingsError",
    "SettingsImportError",
    "SettingsService",
    "SettingsState",
    "SettingsStorageError",
    "StorageQuotaError",
    "UnknownServerError",
    "ValidationResult",
    "mask_secret",
    "new_server_id",
    "preview_roots",
    "resolve_roots",
    "validate_draft",
]
