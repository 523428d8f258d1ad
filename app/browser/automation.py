"""A handle for tests and benchmarks to run Python in the page: ``zhivaRunPython``.

End-to-end tests drive the DICOMweb client in Pyodide, through the browser's real
``fetch``, CORS and TLS, without a screen for every call. It grants nothing a
script on this origin could not already do (the page allows 'unsafe-eval' for
Pyodide anyway), so it is always there.
"""

from __future__ import annotations

import js
import pyodide_js


def install() -> None:
    js.window.zhivaRunPython = pyodide_js.runPythonAsync
