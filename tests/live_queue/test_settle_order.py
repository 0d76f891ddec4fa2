"""The queue harness's settle: a timer firing while the test looks is never taken as "all done".

A fired timer commits its messages with it (the call, "É a sua vez!"). The harness once counted
the outbox first and the due timers after: a timer firing between the two was neither due nor
had its message counted, and the test read the chat too early (seen once in CI, on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from storage import enqueue
from storage.timers import claim_due, schedule
from tests.stores import store_engine

from .harness import QueueBot

CALLED = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
JOAO = 700_000_002


@pytest.fixture
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """PostgreSQL only: on SQLite the harness's transaction holds the write lock (BEGIN
    IMMEDIATE), so nothing can commit while it looks."""
    yield from store_engine("postgresql", request, tmp_path)


def looking_bot(engine: Engine, clock: object) -> QueueBot:
    """The harness's view of a bot (no bot running): its store, clock and an idle server."""
    bot = QueueBot.__new__(QueueBot)
    bot.app = SimpleNamespace(engine=engine)  # type: ignore[assignment]
    bot.server = SimpleNamespace(pending_updates=[])  # type: ignore[assignment]
    bot.clock = clock  # type: ignore[assignment]
    return bot


def test_a_timer_firing_while_the_harness_looks_keeps_it_busy(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        schedule(session, kind="queue_window", due_at=CALLED, now=CALLED - timedelta(minutes=1))
    reads: list[datetime] = []

    def clock() -> datetime:
        """The harness's clock; the scheduler fires the timer at the second read."""
        now = CALLED + timedelta(seconds=90 + len(reads))
        reads.append(now)
        if len(reads) == 2:
            with Session(engine) as session, session.begin():
                assert claim_due(session, now=now) is not None
                call = {"text": "É a sua vez!"}
                enqueue(session, chat_id=JOAO, method="sendMessage", params=call, now=now)
        return now

    bot = looking_bot(engine, clock)

    # Whenever the timer fires, the harness sees it due or sees its message: busy either way.
    assert bot._busy()
    assert bot._busy()
