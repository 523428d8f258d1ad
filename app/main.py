"""Entry point that PyScript runs (see index.html).

Kept tiny: if anything below fails to import or start, the boot screen says so
in plain words and the traceback goes to the browser console only.
"""

import logging

try:
    from app.browser import console_log

    console_log.install()
    from app.shell import start

    start()
except Exception:
    logging.getLogger("app.main").exception("the viewer failed to start")
    from app.browser import boot

    boot.fail(
        "The viewer could not start",
        "Python started, but the viewer's code failed to load.",
        [
            "Reload the page.",
            "If you deployed the viewer yourself, check that every file under app/ "
            "listed in pyscript.toml is served.",
            "Technical details are in the browser's developer console.",
        ],
    )
