"""Checks of the static site that need no browser: file lists and vendored hashes."""

import hashlib
import json
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "assets" / "vendor"


def app_modules() -> list[str]:
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "app").rglob("*.py"))


def test_pyscript_toml_lists_every_app_module() -> None:
    config = tomllib.loads((ROOT / "pyscript.toml").read_text())
    listed = sorted(config["files"].values())
    expected = [f"./{path}" for path in app_modules()]
    missing = "\n".join(
        f'"./{p}" = "./{p}"' for p in app_modules() if f"./{p}" not in listed
    )
    assert listed == expected, f"pyscript.toml [files] should have:\n{missing}"
    assert all(key == value for key, value in config["files"].items())


def test_pyscript_toml_uses_only_vendored_files() -> None:
    config = tomllib.loads((ROOT / "pyscript.toml").read_text())
    assert config["packages_cache"] == "passthrough"
    assert (ROOT / config["interpreter"]).is_file()
    for package in config["packages"]:
        if package.startswith("./"):
            assert (ROOT / package).is_file(), package
        else:
            lock_dir = (ROOT / config["interpreter"]).parent
            lock = json.loads((lock_dir / "pyodide-lock.json").read_text())
            wheel = lock["packages"][package]["file_name"]
            assert (lock_dir / wheel).is_file(), f"{package}: {wheel} is not vendored"


def test_vendored_files_match_the_manifest() -> None:
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text())["files"]
    recorded = {entry["file"]: entry["sha256"] for entry in manifest}
    on_disk = {
        p.relative_to(VENDOR).as_posix()
        for p in VENDOR.rglob("*")
        if p.is_file() and p.name != "MANIFEST.json"
    }
    assert on_disk == set(recorded)
    for name, digest in recorded.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert all(entry["origin"] and entry["version"] for entry in manifest)


def test_index_html_loads_nothing_from_another_origin() -> None:
    html = (ROOT / "index.html").read_text()
    links = re.findall(r'\b(?:src|href)="([^"]*)"', html)
    assert links, "no src/href found: the pattern is wrong"
    for link in links:
        assert link.startswith(("./", "#", "data:")), link
