"""Secrets: session or persistent store, masked, never in repr; the auth header."""

from __future__ import annotations

import pytest

from app.settings.auth import AuthConfig
from app.settings.errors import StorageQuotaError
from app.settings.model import AuthType
from app.settings.secret_store import SecretStore, mask_secret
from app.settings.store import MemoryStore

SERVER_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
KEY = f"zhiva.secret.{SERVER_ID}"


def stores():
    session, persistent = MemoryStore(), MemoryStore()
    return session, persistent, SecretStore(session=session, persistent=persistent)


def test_by_default_a_secret_lives_in_the_session_store_only():
    session, persistent, secrets = stores()

    secrets.put(SERVER_ID, "pw", remember=False)

    assert session.items == {KEY: "pw"}
    assert persistent.items == {}
    assert secrets.get(SERVER_ID) == "pw"


def test_remembered_secret_moves_to_the_persistent_store():
    session, persistent, secrets = stores()
    secrets.put(SERVER_ID, "pw", remember=False)

    secrets.put(SERVER_ID, "pw2", remember=True)

    assert session.items == {}
    assert persistent.items == {KEY: "pw2"}
    assert secrets.get(SERVER_ID) == "pw2"


def test_forgetting_again_moves_it_back_to_the_session():
    session, persistent, secrets = stores()
    secrets.put(SERVER_ID, "pw", remember=True)

    secrets.put(SERVER_ID, "pw", remember=False)

    assert session.items == {KEY: "pw"}
    assert persistent.items == {}


def test_remove_clears_both_stores():
    session, persistent, secrets = stores()
    session.items[KEY] = "a"
    persistent.items[KEY] = "b"

    secrets.remove(SERVER_ID)

    assert secrets.get(SERVER_ID) is None
    assert session.items == persistent.items == {}


def test_a_full_store_keeps_the_earlier_secret():
    session = MemoryStore()
    persistent = MemoryStore(quota=10)
    secrets = SecretStore(session=session, persistent=persistent)
    secrets.put(SERVER_ID, "old", remember=False)

    with pytest.raises(StorageQuotaError):
        secrets.put(SERVER_ID, "new", remember=True)

    assert secrets.get(SERVER_ID) == "old"


def test_secret_store_repr_shows_nothing():
    _, _, secrets = stores()
    secrets.put(SERVER_ID, "pw-very-secret", remember=True)

    assert repr(secrets) == "SecretStore()"


@pytest.mark.parametrize(
    ("secret", "masked"),
    [
        ("", ""),
        ("a", "••••"),
        ("elevenchars", "••••"),
        ("twelve-chars", "••••rs"),
        (
            "eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo",
            "••••eo",
        ),
    ],
)
def test_mask_secret(secret, masked):
    assert mask_secret(secret) == masked


def test_auth_config_repr_hides_user_name_and_secret():
    text = repr(AuthConfig(AuthType.BASIC, "viewer", "pw-12345"))

    assert text == "AuthConfig(kind=<AuthType.BASIC: 'basic'>)"
