"""pytest plugin: one PACS test bed per test session, as the fixture ``pacs``.

Enable it with ``pytest_plugins = ["tests.pacs.plugin"]`` in ``tests/conftest.py``.
The bed starts the first time a test asks for ``pacs`` and stops when the session
ends, whatever the tests did. Start and stop times go to the terminal summary.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pacs.dataset import describe
from tests.pacs.testbed import PacsTestBed

_TIMINGS = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def pacs(request: pytest.FixtureRequest) -> Iterator[PacsTestBed]:
    """A running test bed with the data of ``tests/pacs/dataset.py`` loaded."""
    bed = PacsTestBed()
    # start() stops whatever it had started before it raises.
    bed.start()
    try:
        yield bed
    finally:
        bed.stop()
        lines = request.config.stash.setdefault(_TIMINGS, [])
        if bed.data is not None:
            lines.append(describe(bed.data))
        lines.append(
            f"PACS test bed: started in {bed.start_seconds:.1f} s, "
            f"stopped in {bed.stop_seconds:.1f} s"
        )


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    for line in config.stash.get(_TIMINGS, []):
        terminalreporter.write_line(line)
