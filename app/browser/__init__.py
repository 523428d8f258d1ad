"""The browser layer: the only package that imports ``js``, ``pyodide`` or ``pyscript``.

Everything else under ``app/`` is plain Python that also runs on CPython, so it can
be tested without a browser. Views reach the page through these modules.
"""
