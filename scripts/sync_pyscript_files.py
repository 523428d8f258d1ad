#!/usr/bin/env python3
"""Rewrite the ``[files]`` table of pyscript.toml to list every module under app/.

PyScript copies only the files it is told about into Pyodide's file system, so a
new module must be listed; tests/unit/test_site.py fails until it is.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    config = ROOT / "pyscript.toml"
    text = config.read_text()
    head = text[: text.index("[files]") + len("[files]")]
    modules = sorted(
        p.relative_to(ROOT).as_posix() for p in (ROOT / "app").rglob("*.py")
    )
    lines = "".join(f'"./{m}" = "./{m}"\n' for m in modules)
    config.write_text(f"{head}\n{lines}")
    print(f"pyscript.toml lists {len(modules)} modules")


if __name__ == "__main__":
    main()
