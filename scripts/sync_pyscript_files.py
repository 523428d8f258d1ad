#!/usr/bin/env python3
"""Rewrite the ``[files]`` table of pyscript.toml to list every module under app/.

PyScript copies only the files it is told about into Pyodide's file system, so a
new module must be listed; tests/unit/test_site.py fails until it is.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    config = ROOT / "pyscript.toml"
    text = config.read_text()
    head = text[: text.index("[files]") + len("[files]")]
    if "--tracked" in sys.argv:
        # Only what git knows (committed or staged): for a commit made while other
        # modules are still being written.
        listed = subprocess.run(
            ["git", "ls-files", "app"], cwd=ROOT, capture_output=True, text=True
        ).stdout.split()
        modules = sorted(m for m in listed if m.endswith(".py"))
    else:
        modules = sorted(
            p.relative_to(ROOT).as_posix() for p in (ROOT / "app").rglob("*.py")
        )
    lines = "".join(f'"./{m}" = "./{m}"\n' for m in modules)
    config.write_text(f"{head}\n{lines}")
    print(f"pyscript.toml lists {len(modules)} modules")


if __name__ == "__main__":
    main()
