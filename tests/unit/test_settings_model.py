"""Records, names and the " (2)" naming of copies."""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError

import pytest

from app.settings.model import (
    AuthType,
    RenderingProtocol,
    ServerConfig,
    ServerDraft,
    new_server_id,
    unique_name,
)

SERVER = ServerConfig(
    server_id="0f8fad5b-d9cb-469f-a165-70867728950e",
    name="PACS",
    url="https://pacs.example.org",
    qido_postfix="rs",
    image_rendering=RenderingProtocol.WADO,
    auth_type=AuthType.BASIC,
    username="viewer",
    remember_secret=True,
)


def test_server_is_immutable():
    with pytest.raises(FrozenInstanceError):
        SERVER.name = "Other"  # type: ignore[misc]


def test_new_server_id_is_a_lower_case_uuid_v4():
    first, second = new_server_id(), new_server_id()

    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first
    )
    assert first != second


def test_draft_from_server_copies_every_field_and_remembers_the_original():
    draft = ServerDraft.from_server(SERVER, secret="pw")

    assert draft == ServerDraft(
        server_id=SERVER.server_id,
        name="PACS",
        url="https://pacs.example.org",
        qido_postfix="rs",
        image_rendering="wado",
        auth_type="basic",
        username="viewer",
        secret="pw",
        remember_secret=True,
        original_id=SERVER.server_id,
    )


def test_repr_shows_neither_secret_nor_user_name():
    draft = ServerDraft.from_server(SERVER, secret="hunter2-password")

    assert "hunter2-password" not in repr(draft)
    assert "viewer" not in repr(draft)
    assert "viewer" not in repr(SERVER)
    assert "hunter2-password" not in str(draft)


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("PACS", [], "PACS"),
        ("PACS", ["Other"], "PACS"),
        ("PACS", ["pacs"], "PACS (2)"),
        ("PACS", ["PACS", "PACS (2)"], "PACS (3)"),
        ("PACS (2)", ["PACS", "PACS (2)"], "PACS (3)"),
        ("x" * 64, ["x" * 64], "x" * 60 + " (2)"),
    ],
)
def test_unique_name(name, taken, expected):
    assert unique_name(name, taken) == expected
