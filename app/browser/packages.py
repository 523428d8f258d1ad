"""numpy, Pillow and pydicom, loaded from this site after the first view is shown.

Loading them with the interpreter would delay every start (see the boot benchmark
in the README); most starts open the settings or a study list first, which need
neither. Loading means unpacking the wheels into Pyodide's file system; importing
happens later, when a frame is first decoded.
"""

from __future__ import annotations

import asyncio
import logging

import js
import pyodide_js

logger = logging.getLogger(__name__)

# numpy and Pillow (pydicom's JPEG Baseline decoder) are resolved by Pyodide against
# the pyodide-lock.json next to pyodide.mjs; pydicom is our precompiled pure wheel
# (scripts/vendor_runtime.py).
IMAGING_PACKAGES = (
    "numpy",
    "pillow",
    "./assets/vendor/wheels/pydicom-3.0.2-py3-none-any.whl",
)

# One load for the page: the background load after the first view and a viewport
# opened meanwhile wait on the same one instead of loading the wheels twice.
_loading: asyncio.Task[None] | None = None


async def ensure_imaging_packages() -> None:
    """Make numpy, Pillow and pydicom importable; cheap after the first call."""
    global _loading
    if _loading is None or (_loading.done() and _loading.exception() is not None):
        _loading = asyncio.ensure_future(_load())
    await asyncio.shield(_loading)


async def _load() -> None:
    urls = [
        name if "/" not in name else str(js.URL.new(name, js.document.baseURI).href)
        for name in IMAGING_PACKAGES
    ]
    started = js.performance.now()
    await pyodide_js.loadPackage(js.Array.from_(urls), messageCallback=_quiet)
    js.window.zhivaBoot.times.imagingLoaded = js.performance.now()
    logger.info(
        "numpy, Pillow and pydicom loaded in %.0f ms", js.performance.now() - started
    )


def _quiet(_message: str) -> None:
    # Pyodide reports each package on the console by default.
    pass
