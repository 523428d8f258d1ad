"""Settings > Servers as a user works with it, in Chromium."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import wait_until_booted

SETTINGS_KEY = "zhiva.settings"
LOCAL_SERVER_ID = "6f1c2a9e-3b7d-4e58-9a41-0c2d8e7f5b63"
SAMPLE_SERVER_ID = "65bc1aa4-ee81-415e-9237-8c8d78eb921b"


@pytest.fixture
def servers(app: Any, site_url: str) -> Any:
    page = app
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Selected Server")).to_be_visible()
    return page


def stored(page: Any) -> dict[str, Any]:
    return json.loads(page.evaluate(f"localStorage.getItem('{SETTINGS_KEY}')"))


def fill_new_server(page: Any, name: str, url: str) -> None:
    page.get_by_role("button", name="Create New Server").click()
    page.get_by_label("Server Name").fill(name)
    page.get_by_label("Server URL").fill(url)
    page.get_by_label("QIDO Postfix").fill("rs")
    page.get_by_label("WADO Postfix").fill("rs")
    page.get_by_label("WADO URI Postfix").fill("wado")


def test_the_presets_are_listed_with_the_sample_server_selected(servers: Any) -> None:
    page = servers
    select = page.get_by_label("Selected Server")
    expect(select).to_have_value(SAMPLE_SERVER_ID)
    expect(page.get_by_label("Server URL")).to_have_value(
        "http://127.0.0.1:8000/sample"
    )
    expect(page.locator("#roots-qido")).to_have_text("http://127.0.0.1:8000/sample/rs")
    expect(page.get_by_label("QIDO Supports Include Field")).not_to_be_checked()
    expect(page.get_by_label("Supports Fuzzy Matching")).not_to_be_checked()
    expect(page.get_by_label("Enable Study LazyLoad")).to_be_checked()
    expect(page.get_by_role("button", name="Delete")).to_be_disabled()

    select.select_option(LOCAL_SERVER_ID)
    expect(page.get_by_label("Server URL")).to_have_value(
        "https://localhost/zhiva/pacs"
    )
    expect(page.locator("#roots-qido")).to_have_text("https://localhost/zhiva/pacs/rs")
    expect(page.locator("#roots-wado")).to_have_text("https://localhost/zhiva/pacs/rs")
    expect(page.locator("#roots-wado-uri")).to_have_text(
        "https://localhost/zhiva/pacs/wado"
    )
    expect(page.get_by_label("QIDO Supports Include Field")).to_be_checked()
    expect(page.get_by_label("Supports Fuzzy Matching")).to_be_checked()
    expect(page.get_by_label("Enable Study LazyLoad")).to_be_checked()
    expect(page.get_by_label("Image rendering protocol")).to_have_value("wadors")
    expect(page.get_by_role("button", name="Delete")).to_be_disabled()


def test_a_new_form_is_visibly_invalid_until_its_fields_are_right(servers: Any) -> None:
    page = servers
    page.get_by_role("button", name="Create New Server").click()
    expect(page.locator("#form-status")).to_contain_text("Not a valid server yet")
    expect(page.get_by_role("button", name="Save Settings")).to_be_disabled()
    expect(page.locator("#server-name-error")).to_contain_text("Server Name")

    url = page.get_by_label("Server URL")
    url.fill("http://pacs.example.org")
    expect(page.locator("#server-url-error")).to_contain_text(
        "must start with https://"
    )
    expect(url).to_have_attribute("aria-invalid", "true")
    url.fill("https://alice:pw@pacs.example.org")
    expect(page.locator("#server-url-error")).to_contain_text("Authentication")
    url.fill("https://pacs.example.org/dicom-web?x=1")
    expect(page.locator("#server-url-error")).not_to_be_empty()
    url.fill("http://127.0.0.1:8042/")
    expect(page.locator("#server-url-error")).to_be_empty()

    page.get_by_label("Server Name").fill("local server")  # the preset's, other case
    expect(page.locator("#server-name-error")).to_contain_text("already")
    page.get_by_label("Server Name").fill("x" * 65)
    expect(page.locator("#server-name-error")).to_contain_text("64")

    page.get_by_label("QIDO Postfix").fill("/rs")
    expect(page.locator("#server-qido-postfix-error")).not_to_be_empty()
    expect(page.locator("#roots-qido")).to_contain_text("check the URL and postfixes")
    page.get_by_label("QIDO Postfix").fill("a/../b")
    expect(page.locator("#server-qido-postfix-error")).not_to_be_empty()

    page.get_by_label("Server UUID").fill("not-a-uuid")
    expect(page.locator("#server-uuid-error")).to_contain_text("UUID")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#server-uuid-error")).to_be_empty()

    page.get_by_label("Server Name").fill("My PACS")
    page.get_by_label("QIDO Postfix").fill("dicom-web")
    expect(page.locator("#roots-qido")).to_have_text("http://127.0.0.1:8042/dicom-web")
    expect(page.get_by_role("button", name="Save Settings")).to_be_enabled()


def test_each_auth_type_saves_and_survives_a_reload(servers: Any) -> None:
    page = servers
    fill_new_server(page, "Basic PACS", "https://pacs.example.org/dicom")
    page.get_by_label("Authentication Type").select_option(label="Basic Auth")
    expect(page.get_by_label("Password")).to_be_visible()
    expect(page.get_by_label("Token")).to_be_hidden()
    expect(page.locator("#server-password-error")).to_contain_text(
        "Password is required"
    )
    page.get_by_label("User", exact=True).fill("alice")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Save Settings").click()
    expect(page.locator("#settings-notices")).to_contain_text(
        '"Basic PACS" is selected'
    )

    fill_new_server(page, "Token PACS", "https://cloud.example.org/v1/dicomWeb")
    page.get_by_label("Authentication Type").select_option(label="Bearer Token")
    expect(page.get_by_label("Password")).to_be_hidden()
    page.get_by_label("Token").fill("eyJhbGciOi.abc.def")
    page.get_by_label("Remember on this device").check()
    page.get_by_role("button", name="Save Settings").click()
    expect(page.get_by_label("Selected Server")).to_contain_text("Token PACS")

    document = stored(page)
    names = {server["name"]: server for server in document["servers"]}
    assert set(names) == {"Basic PACS", "Token PACS"}
    assert names["Basic PACS"]["auth_type"] == "basic"
    assert names["Basic PACS"]["username"] == "alice"
    # Secrets never sit in the settings record; the remembered one is in
    # localStorage, the other only in this tab's sessionStorage.
    text = page.evaluate(f"localStorage.getItem('{SETTINGS_KEY}')")
    assert "correct horse" not in text and "eyJhbGciOi" not in text
    basic_id = names["Basic PACS"]["server_id"]
    token_id = names["Token PACS"]["server_id"]
    assert page.evaluate(f"sessionStorage.getItem('zhiva.secret.{basic_id}')") == (
        "correct horse battery"
    )
    assert page.evaluate(f"localStorage.getItem('zhiva.secret.{basic_id}')") is None
    assert page.evaluate(f"localStorage.getItem('zhiva.secret.{token_id}')") == (
        "eyJhbGciOi.abc.def"
    )

    page.reload()
    wait_until_booted(page)
    expect(page.get_by_label("Selected Server")).to_have_value(token_id)
    expect(page.locator("#server-badge")).to_have_text("Server: Token PACS")
    token = page.get_by_label("Token")
    expect(token).to_have_value("")  # never shown back
    expect(token).to_have_attribute("placeholder", "saved (••••ef); type to replace")


def test_edit_duplicate_and_delete(servers: Any) -> None:
    page = servers
    fill_new_server(page, "Archive", "https://archive.example.org")
    page.get_by_role("button", name="Save Settings").click()
    expect(page.locator("#settings-notices")).to_contain_text("Settings saved")
    archive_id = page.get_by_label("Selected Server").input_value()

    page.get_by_label("Server Postfix").fill("aets/DCM4CHEE")
    expect(page.locator("#roots-qido")).to_have_text(
        "https://archive.example.org/aets/DCM4CHEE/rs"
    )
    page.get_by_role("button", name="Save Settings").click()
    assert stored(page)["servers"][0]["server_postfix"] == "aets/DCM4CHEE"
    assert stored(page)["servers"][0]["server_id"] == archive_id

    page.get_by_role("button", name="Duplicate").click()
    expect(page.get_by_label("Server Name")).to_have_value("Archive (2)")
    page.get_by_role("button", name="Save Settings").click()
    expect(page.get_by_label("Selected Server")).to_contain_text("Archive (2)")
    assert len(stored(page)["servers"]) == 2

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Delete").click()
    assert len(stored(page)["servers"]) == 2  # asked first; the user said no

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page.locator("#settings-notices")).to_contain_text(
        '"Archive (2)" was deleted'
    )
    assert [s["name"] for s in stored(page)["servers"]] == ["Archive"]


def test_adapting_the_preset_keeps_it_and_saves_a_copy(servers: Any) -> None:
    page = servers
    page.get_by_label("Selected Server").select_option(LOCAL_SERVER_ID)
    page.get_by_label("Server URL").fill("https://192.168.1.20/zhiva/pacs")
    page.get_by_role("button", name="Save Settings").click()
    expect(page.locator("#settings-notices")).to_contain_text(
        "saved as your own server"
    )
    options = page.locator("#server-select option")
    expect(options).to_have_count(3)
    assert stored(page)["servers"][0]["url"] == "https://192.168.1.20/zhiva/pacs"
    assert stored(page)["servers"][0]["derived_from"] == LOCAL_SERVER_ID


def test_leaving_with_unsaved_changes_asks(servers: Any, site_url: str) -> None:
    page = servers
    page.get_by_label("Server Name").fill("Half typed")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("link", name="DICOMs").click()
    expect(page.locator("#view-settings")).to_be_visible()
    expect(page).to_have_url(f"{site_url}#/settings/servers")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="DICOMs").click()
    expect(page.locator("#view-dicoms")).to_be_visible()


def test_export_leaves_secrets_out_and_import_reads_it_back(
    servers: Any, tmp_path: Path
) -> None:
    page = servers
    fill_new_server(page, "Exported", "https://exported.example.org")
    page.get_by_label("Authentication Type").select_option(label="Basic Auth")
    page.get_by_label("User", exact=True).fill("bob")
    page.get_by_label("Password").fill("do-not-export-me")
    page.get_by_role("button", name="Save Settings").click()
    expect(page.locator("#settings-notices")).to_contain_text("Settings saved")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export servers").click()
    exported = tmp_path / "servers.json"
    download_info.value.save_as(exported)
    text = exported.read_text()
    assert "do-not-export-me" not in text
    assert json.loads(text)["servers"][0]["name"] == "Exported"

    page.set_input_files("#import-servers", str(exported))
    expect(page.locator("#settings-notices")).to_contain_text("Imported 1 server")
    expect(page.locator("#server-select option")).to_have_count(4)  # 2 presets
    assert [s["name"] for s in stored(page)["servers"]] == ["Exported", "Exported (2)"]


def test_ohif_import_and_an_invalid_import(servers: Any, tmp_path: Path) -> None:
    page = servers
    ohif = {
        "sourceName": "dicomweb",
        "configuration": {
            "friendlyName": "dcm4chee",
            "qidoRoot": "https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE/rs",
            "wadoRoot": "https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE/rs",
            "wadoUriRoot": "https://pacs.example.org/dcm4chee-arc/aets/DCM4CHEE/wado",
            "qidoSupportsIncludeField": True,
            "imageRendering": "wadors",
            "thumbnailRendering": "wadors",
            "enableStudyLazyLoad": True,
            "supportsFuzzyMatching": True,
        },
    }
    path = tmp_path / "ohif.json"
    path.write_text(json.dumps(ohif))
    page.set_input_files("#import-servers", str(path))
    expect(page.locator("#settings-notices")).to_contain_text("Imported 1 server")
    (server,) = stored(page)["servers"]
    assert server["name"] == "dcm4chee"
    assert server["qido_postfix"] == "rs" and server["wado_uri_postfix"] == "wado"
    before = page.evaluate(f"localStorage.getItem('{SETTINGS_KEY}')")

    broken = tmp_path / "broken.json"
    broken.write_text('{"servers": [{"name": "x", "url": "ftp://nope"}]}')
    page.set_input_files("#import-servers", str(broken))
    expect(page.locator("#settings-notices .notice.error")).to_contain_text(
        "broken.json"
    )
    assert page.evaluate(f"localStorage.getItem('{SETTINGS_KEY}')") == before


def test_damaged_storage_is_kept_and_reported(app: Any, site_url: str) -> None:
    page = app
    page.evaluate(f"localStorage.setItem('{SETTINGS_KEY}', '{{not json')")
    page.goto(f"{site_url}#/settings/servers")
    page.reload()
    wait_until_booted(page)
    notices = page.locator("#settings-notices")
    expect(notices).to_contain_text("zhiva.settings.backup-1")
    expect(page.get_by_label("Selected Server")).to_have_value(SAMPLE_SERVER_ID)
    assert (
        page.evaluate("localStorage.getItem('zhiva.settings.backup-1')") == "{not json"
    )
    with page.expect_download() as download_info:
        notices.get_by_role("button", name="Download the kept text").click()
    assert download_info.value.suggested_filename == "zhiva.settings.backup-1.txt"


def test_a_full_storage_is_reported_and_nothing_saved_is_lost(servers: Any) -> None:
    page = servers
    fill_new_server(page, "Kept", "https://kept.example.org")
    page.get_by_role("button", name="Save Settings").click()
    expect(page.locator("#settings-notices")).to_contain_text("Settings saved")
    before = page.evaluate(f"localStorage.getItem('{SETTINGS_KEY}')")

    # Fill this origin's localStorage to the browser's quota with other data.
    page.evaluate(
        """() => {
        let chunk = "x".repeat(1 << 20);
        for (let i = 0; ; i++) {
            try { localStorage.setItem("filler-" + i, chunk); }
            catch (e) {
                if (chunk.length < 16) break;
                chunk = chunk.slice(chunk.length / 2);
            }
        }
    }"""
    )
    fill_new_server(page, "Does not fit " + "y" * 40, "https://full.example.org")
    page.get_by_role("button", name="Save Settings").click()
    error = page.locator("#settings-notices .notice.error")
    expect(error).to_contain_text("storage")
    expect(error).to_contain_text("full")
    assert page.evaluate(f"localStorage.getItem('{SETTINGS_KEY}')") == before
