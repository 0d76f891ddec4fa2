"""The scheduler fires each due timer once, with its effects in the claim's transaction."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.scheduler import Scheduler
from storage.engine import make_engine
from storage.outbox import enqueue
from storage.queue_tables import Timer
from storage.tables import OutboxMessage
from storage.timers import TimerStatus, pending_timers, schedule
from tests.storage.conftest import NOW


def _say(session: Session, timer: Timer) -> None:
    """A handler whose effect is an outbox row: it commits with the claim or not at all."""
    enqueue(session, chat_id=1, method="sendMessage", params={"text": str(timer.ref)}, now=NOW)


def _texts(engine: Engine) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        return [str(row.params["text"]) for row in rows]


def test_due_timers_fire_through_their_kind_s_handler_and_later_ones_wait(
    engine: Engine,
) -> None:
    with Session(engine) as session, session.begin():
        schedule(session, kind="say", due_at=NOW, now=NOW, ref="first")
        schedule(session, kind="say", due_at=NOW + timedelta(minutes=1), now=NOW, ref="later")
    clock = [NOW]
    woken: list[bool] = []
    scheduler = Scheduler(engine, lambda: clock[0], after_commit=lambda: woken.append(True))
    scheduler.register("say", _say)
    assert scheduler.fire_due() == 1
    assert _texts(engine) == ["first"] and woken == [True]
    assert scheduler.fire_due() == 0
    clock[0] = NOW + timedelta(minutes=1)
    assert scheduler.fire_due() == 1
    assert _texts(engine) == ["first", "later"]


def test_a_failing_handler_leaves_no_effect_and_the_timer_is_retried(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        schedule(session, kind="flaky", due_at=NOW, now=NOW, ref="x")
    failures = [1]

    def flaky(session: Session, timer: Timer) -> None:
        _say(session, timer)
        if failures:
            failures.pop()
            raise RuntimeError("the handler broke")

    clock = [NOW]
    scheduler = Scheduler(engine, lambda: clock[0])
    scheduler.register("flaky", flaky)
    assert scheduler.fire_due() == 1
    assert _texts(engine) == []
    with Session(engine) as session:
        (timer,) = pending_timers(session)
        assert timer.attempts == 1 and "the handler broke" in str(timer.error)
    clock[0] = NOW + timedelta(minutes=5)
    assert scheduler.fire_due() == 1
    assert _texts(engine) == ["x"]


def test_two_workers_fire_each_timer_once(engine: Engine, database_url: str) -> None:
    """Two processes' schedulers (separate engines) on one store: 80 timers, 80 effects."""
    with Session(engine) as session, session.begin():
        for n in range(80):
            schedule(session, kind="say", due_at=NOW, now=NOW, ref=f"t{n}")
    engines = [make_engine(database_url), make_engine(database_url)]
    schedulers = [Scheduler(e, lambda: NOW) for e in engines]
    for scheduler in schedulers:
        scheduler.register("say", _say)
    start = threading.Barrier(2)
    counts = [0, 0]

    def work(index: int) -> None:
        start.wait()
        while fired := schedulers[index].fire_due(limit=5):
            counts[index] += fired

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for made in engines:
        made.dispose()
    assert sorted(_texts(engine)) == sorted(f"t{n}" for n in range(80))
    assert sum(counts) == 80
    with Session(engine) as session:
        fired = session.exec(
            select(func.count()).select_from(Timer).where(col(Timer.status) == TimerStatus.FIRED)
        ).one()
        assert fired == 80
