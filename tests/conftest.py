"""Suite-wide settings: which tests are slow (left out of `make test-fast`).

Slow means the test runs on PostgreSQL (a schema made and dropped on the server per case),
starts processes (a bot, the command line, an interpreter) or drives the whole bot through the
fake Bot API server, taking seconds of real time; the rest are unit and store tests on SQLite
that run in well under a second each. Modules that are slow as a whole are listed
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
    "live_queue/test_journeys.py",  # the Balcão Virtual: the whole bot, a group and its users
    "live_queue/test_bad_input_and_restart.py",  # the same, restarted mid call window
    "live_queue/test_natural_wording_and_commands.py",  # the same, on both drivers and stores
    "web/test_pages.py",  # a real headless browser against the running bot's web server
    "web/test_health_metrics.py",  # the whole bot serving /healthz and /metrics
    "telegram/test_fault_logs.py",  # the drivers waiting out real retry delays
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` the tests of the slow modules, and every case on PostgreSQL."""
    for item in items:
        where = Path(str(item.fspath)).relative_to(TESTS).as_posix()
        if any(where == slow or where.startswith(slow + "/") for slow in SLOW) or on_postgresql(
            item
        ):
            item.add_marker(pytest.mark.slow)


def on_postgresql(item: pytest.Item) -> bool:
    """Whether the case runs on PostgreSQL: a schema of its own, made and dropped on the server
    (0.13 s of set-up each, 45 s of the inner loop's 2 minutes of work). The inner loop runs
    the same cases on SQLite; `make test` and CI run both."""
    callspec = getattr(item, "callspec", None)
    return callspec is not None and any(value == "postgresql" for value in callspec.params.values())


@pytest.fixture(autouse=True)
def _sent_journals_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PostgreSQL store's sent journal under the test's tmp_path, not the checkout's ./data."""
    monkeypatch.setattr("bot.telegram.sent_journal.DATA", tmp_path / "data")
