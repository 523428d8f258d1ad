import pytest

from app.routing import DICOMS, NOT_FOUND, SETTINGS, Route, parse_hash, study_hash


@pytest.mark.parametrize("raw", ["", "#", "#/", "#/dicoms", "#/dicoms/"])
def test_dicoms_is_the_default_view(raw: str) -> None:
    assert parse_hash(raw) == Route(DICOMS, hash="#/dicoms", requested=raw)


@pytest.mark.parametrize("raw", ["#/settings", "#/settings/", "#/settings/servers"])
def test_settings_opens_the_servers_tab(raw: str) -> None:
    route = parse_hash(raw)
    assert (route.view, route.tab, route.hash) == (
        SETTINGS,
        "servers",
        "#/settings/servers",
    )


@pytest.mark.parametrize(
    "raw", ["#/nope", "#/settings/colours", "#/settings/servers/x"]
)
def test_unknown_routes_are_not_found(raw: str) -> None:
    route = parse_hash(raw)
    assert (route.view, route.requested) == (NOT_FOUND, raw)


def test_an_opened_study_has_its_own_address() -> None:
    route = parse_hash("#/dicoms/studies/1.2.840.113619.2.55.3")
    assert (route.view, route.study_uid) == (DICOMS, "1.2.840.113619.2.55.3")
    assert route.hash == study_hash("1.2.840.113619.2.55.3")


@pytest.mark.parametrize(
    "raw",
    ["#/dicoms/studies/1.2.x", "#/dicoms/studies/" + "1." * 40 + "1", "#/dicoms/x/1"],
)
def test_a_malformed_study_uid_is_not_found(raw: str) -> None:
    assert parse_hash(raw).view == NOT_FOUND
