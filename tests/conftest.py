"""Suite-wide settings: which tests are slow (left out of `make test-fast`).

Slow means the test starts processes (a bot, the command line, an interpreter) or drives the
whole bot through the fake Bot API server, taking seconds of real time; the rest are unit and
store tests that run in well under a second each. Modules that are slow as a whole are listed
here, in one place; a single slow test elsewhere carries `@pytest.mark.slow` itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).parent
SLOW = (
    "e2e",  # the bot on the fake Bot API server, some in child processes killed with -9
    "agents",  # the agents' desk: the whole bot, a group and its users on the fake server
    "desk/test_terminal.py",  # `python -m bot chat` in child processes
    "test_startup.py",  # fresh interpreters, to see what start-up imports
    "flows/test_machine_properties.py",  # hypothesis: hundreds of random conversations
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests of the slow modules `slow`."""
    for item in items:
        where = Path(str(item.fspath)).relative_to(TESTS).as_posix()
        if any(where == slow or where.startswith(slow + "/") for slow in SLOW):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _sent_journals_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PostgreSQL store's sent journal under the test's tmp_path, not the checkout's ./data."""
    monkeypatch.setattr("bot.telegram.sent_journal.DATA", tmp_path / "data")
