"""Send Python logging to the browser console at the matching level.

Pyodide writes stderr to ``console.error``, so plain logging would turn every
info line into a console error; this handler uses console.debug/info/warn/error.
"""

from __future__ import annotations

import logging

import js


class ConsoleHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:
            self.handleError(record)
            return
        if record.levelno >= logging.ERROR:
            js.console.error(text)
        elif record.levelno >= logging.WARNING:
            js.console.warn(text)
        elif record.levelno >= logging.INFO:
            js.console.info(text)
        else:
            js.console.debug(text)


def install(level: int = logging.INFO) -> None:
    handler = ConsoleHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
