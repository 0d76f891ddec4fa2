"""Durable timers: scheduled in a transaction, claimed once when due, cancelled by reference."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from storage.timers import (
    MAX_ATTEMPTS,
    TimerStatus,
    cancel,
    claim_due,
    next_due_at,
    pending_timers,
    record_failure,
    schedule,
)
from tests.storage.conftest import NOW


def test_a_timer_is_claimed_only_once_it_is_due_and_only_once(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        schedule(session, kind="k", due_at=NOW + timedelta(minutes=1), now=NOW, ref="entry:1")
    with Session(engine) as session, session.begin():
        assert claim_due(session, now=NOW + timedelta(seconds=59)) is None
    with Session(engine) as session, session.begin():
        timer = claim_due(session, now=NOW + timedelta(minutes=1))
        assert timer is not None and timer.kind == "k" and timer.status == TimerStatus.FIRED
    with Session(engine) as session, session.begin():
        assert claim_due(session, now=NOW + timedelta(hours=1)) is None


def test_a_rolled_back_claim_leaves_the_timer_pending(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        schedule(session, kind="k", due_at=NOW, now=NOW, payload={"x": 1})
    with Session(engine) as session, session.begin():
        assert claim_due(session, now=NOW) is not None
        session.rollback()
    with Session(engine) as session, session.begin():
        timer = claim_due(session, now=NOW)
        assert timer is not None and timer.payload == {"x": 1}


def test_cancel_by_reference_and_kind_touches_pending_timers_only(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        schedule(session, kind="a", due_at=NOW, now=NOW, ref="entry:7")
        schedule(session, kind="b", due_at=NOW + timedelta(minutes=5), now=NOW, ref="entry:7")
        schedule(session, kind="a", due_at=NOW + timedelta(minutes=9), now=NOW, ref="entry:8")
    with Session(engine) as session, session.begin():
        assert claim_due(session, now=NOW) is not None  # a/entry:7 fired
    with Session(engine) as session, session.begin():
        assert cancel(session, ref="entry:7", kind="a") == 0
        assert cancel(session, ref="entry:7") == 1
    with Session(engine) as session:
        assert [t.ref for t in pending_timers(session)] == ["entry:8"]
        assert next_due_at(session) == NOW + timedelta(minutes=9)


def test_a_failing_timer_is_retried_later_then_given_up(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        timer_id = schedule(session, kind="k", due_at=NOW, now=NOW).id
    assert timer_id is not None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with Session(engine) as session, session.begin():
            timer = record_failure(session, timer_id=timer_id, error="boom", now=NOW)
            assert timer is not None and timer.attempts == attempt
    with Session(engine) as session:
        (timer,) = [t for t in [session.get(type(timer), timer_id)] if t is not None]
        assert timer.status == TimerStatus.FAILED and timer.error == "boom"
        assert pending_timers(session) == []


def test_two_workers_claiming_at_once_fire_every_timer_exactly_once(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        for n in range(60):
            schedule(session, kind="k", due_at=NOW, now=NOW, ref=f"r:{n}")
    claimed: list[list[str]] = [[], []]
    start = threading.Barrier(2)

    def worker(index: int) -> None:
        start.wait()
        while True:
            with Session(engine) as session, session.begin():
                timer = claim_due(session, now=NOW)
                if timer is None:
                    return
                claimed[index].append(str(timer.ref))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    both = claimed[0] + claimed[1]
    assert sorted(both) == sorted(f"r:{n}" for n in range(60))
    assert len(set(both)) == 60
