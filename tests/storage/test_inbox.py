"""Inbox: each update stored once, claimed one per chat in order, retried, then given up."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from storage.errors import UpdateAlreadyProcessed
from storage.inbox import (
    InboxStatus,
    claim_updates,
    fail_update,
    finish_update,
    max_update_id,
    record_update,
    record_updates,
)
from storage.tables import ERROR_MAX_LENGTH, InboxUpdate

from .conftest import NOW

ANA = 7_123_456_789  # private chat ids no longer fit in 32 bits
BIA = 7_123_456_790
DESK = -1_002_345_678_901  # supergroup ids are negative


def payload(update_id: int, chat_id: int | None, text: str = "oi") -> dict[str, Any]:
    if chat_id is None:
        return {"update_id": update_id, "inline_query": {"id": str(update_id), "query": text}}
    message = {"message_id": update_id, "date": 1741608000, "chat": {"id": chat_id}, "text": text}
    return {"update_id": update_id, "message": message}


def receive(session: Session, update_id: int, chat_id: int | None, text: str = "oi") -> bool:
    return record_update(
        session,
        update_id=update_id,
        chat_id=chat_id,
        payload=payload(update_id, chat_id, text),
        now=NOW,
    )


def claimed(session: Session, **options: Any) -> list[int]:
    options.setdefault("limit", 10)
    return [u.update_id for u in claim_updates(session, now=NOW, **options)]


def the_update(session: Session, update_id: int) -> InboxUpdate:
    return session.exec(select(InboxUpdate).where(InboxUpdate.update_id == update_id)).one()


def finish(session: Session, update_id: int) -> None:
    finish_update(session, update=the_update(session, update_id), now=NOW)


def test_an_update_is_stored_with_its_payload_as_pending(session: Session) -> None:
    assert receive(session, 900_000_001, ANA, "Não consigo acessar o SEI")
    session.commit()

    stored = the_update(session, 900_000_001)
    assert (stored.chat_id, stored.status, stored.attempts, stored.received_at) == (
        ANA,
        "pending",
        0,
        NOW,
    )
    assert stored.payload == payload(900_000_001, ANA, "Não consigo acessar o SEI")
    assert (stored.processed_at, stored.error) == (None, None)


def test_a_redelivered_update_is_recorded_once(session: Session) -> None:
    assert receive(session, 900_000_001, ANA, "primeira")
    assert not receive(session, 900_000_001, ANA, "segunda")  # same transaction
    session.commit()
    assert not receive(session, 900_000_001, ANA, "terceira")  # after the commit
    session.commit()

    [stored] = session.exec(select(InboxUpdate)).all()
    assert stored.payload["message"]["text"] == "primeira"


def test_a_batch_is_stored_in_order_and_a_redelivered_batch_adds_only_what_is_new(
    session: Session,
) -> None:
    receive(session, 11, ANA, "guardada antes")
    session.commit()
    batch = [(n, ANA if n % 2 else BIA, payload(n, ANA, f"m{n}")) for n in range(10, 14)]
    record_updates(session, updates=batch + batch[:1], now=NOW)
    session.commit()
    record_updates(session, updates=batch, now=NOW)  # Telegram sends the batch again
    session.commit()

    rows = session.exec(select(InboxUpdate).order_by(col(InboxUpdate.id))).all()
    assert [(r.update_id, r.payload["message"]["text"]) for r in rows] == [
        (11, "guardada antes"),
        (10, "m10"),
        (12, "m12"),
        (13, "m13"),
    ]
    assert {r.status for r in rows} == {"pending"}
    assert claimed(session) == [11, 10]  # one head per chat, in arrival order


def test_an_empty_batch_stores_nothing(session: Session) -> None:
    record_updates(session, updates=[], now=NOW)
    session.commit()
    assert session.exec(select(InboxUpdate)).all() == []


def test_a_redelivered_update_is_not_processed_again(session: Session) -> None:
    receive(session, 1, ANA)
    finish(session, 1)
    session.commit()
    assert not receive(session, 1, ANA)
    assert claimed(session) == []


def test_max_update_id_is_where_polling_resumes(session: Session) -> None:
    assert max_update_id(session) is None
    for update_id in (5_000_000_003, 5_000_000_001, 5_000_000_002):
        receive(session, update_id, ANA)
    session.commit()
    assert max_update_id(session) == 5_000_000_003


def test_each_chat_offers_its_oldest_pending_update_oldest_chat_first(session: Session) -> None:
    for update_id, chat in [(1, BIA), (2, ANA), (3, BIA), (4, DESK), (5, ANA)]:
        receive(session, update_id, chat)
    session.commit()

    assert claimed(session) == [1, 2, 4]
    assert {u.chat_id for u in claim_updates(session, limit=10, now=NOW)} == {BIA, ANA, DESK}


def test_a_chats_next_update_waits_until_the_previous_one_is_finished(
    session: Session,
) -> None:
    for update_id in (10, 11, 12):
        receive(session, update_id, ANA)
    session.commit()

    assert claimed(session) == [10]
    assert claimed(session) == [10]  # claiming again does not skip ahead
    finish(session, 10)
    session.commit()
    assert claimed(session) == [11]
    finish(session, 11)
    assert claimed(session) == [12]

    done = the_update(session, 10)
    assert (done.status, done.processed_at, done.attempts) == ("done", NOW, 0)


def test_busy_chats_are_left_out(session: Session) -> None:
    for update_id, chat in [(1, ANA), (2, BIA), (3, None), (4, ANA)]:
        receive(session, update_id, chat)
    session.commit()

    assert claimed(session, busy_chats={ANA}) == [2, 3]
    assert claimed(session, busy_chats=[ANA, BIA]) == [3]


def test_limit_takes_the_oldest_chats_first(session: Session) -> None:
    for update_id, chat in [(1, DESK), (2, ANA), (3, DESK), (4, BIA)]:
        receive(session, update_id, chat)
    session.commit()

    assert claimed(session, limit=2) == [1, 2]
    assert claimed(session, limit=0) == []


def test_updates_without_a_chat_are_claimable_each_on_their_own(session: Session) -> None:
    for update_id, chat in [(1, None), (2, ANA), (3, None), (4, ANA)]:
        receive(session, update_id, chat)
    session.commit()

    assert claimed(session) == [1, 2, 3]


def test_failed_attempts_retry_first_in_their_chat_then_give_up(session: Session) -> None:
    receive(session, 1, ANA)  # the poison update
    receive(session, 2, ANA)
    session.commit()

    for attempt in range(1, 5):
        [poison] = claim_updates(session, limit=10, now=NOW)
        assert poison.update_id == 1
        fail_update(session, update=poison, error=f"KeyError {attempt}", now=NOW, max_attempts=5)
        session.commit()
        assert (poison.status, poison.attempts, poison.error) == (
            "pending",
            attempt,
            f"KeyError {attempt}",
        )

    [poison] = claim_updates(session, limit=10, now=NOW)
    later = NOW + timedelta(seconds=30)
    fail_update(session, update=poison, error="KeyError 5", now=later, max_attempts=5)
    session.commit()

    given_up = the_update(session, 1)
    assert (given_up.status, given_up.attempts, given_up.processed_at) == ("failed", 5, later)
    assert claimed(session) == [2]


def test_max_attempts_of_one_gives_up_at_once(session: Session) -> None:
    receive(session, 1, ANA)
    [update] = claim_updates(session, limit=1, now=NOW)
    fail_update(session, update=update, error="boom", now=NOW, max_attempts=1)
    assert update.status == InboxStatus.FAILED


def test_long_errors_are_clipped_to_the_column(session: Session) -> None:
    receive(session, 1, ANA)
    [update] = claim_updates(session, limit=1, now=NOW)
    fail_update(session, update=update, error="Traceback " + "x" * 5000, now=NOW)
    session.commit()
    session.expire_all()

    stored = the_update(session, 1)
    assert stored.error is not None and len(stored.error) == ERROR_MAX_LENGTH
    assert stored.error.startswith("Traceback x") and stored.error.endswith("…")


def test_finishing_an_update_finished_elsewhere_is_refused(engine: Engine) -> None:
    with Session(engine) as session:
        receive(session, 1, ANA)
        session.commit()
    # Two dispatchers that commit their claim both see the update (the SQLite pattern).
    with Session(engine) as slow, Session(engine) as fast:
        [mine] = claim_updates(slow, limit=1, now=NOW)
        slow.commit()
        [theirs] = claim_updates(fast, limit=1, now=NOW)
        finish_update(fast, update=theirs, now=NOW)
        fast.commit()

        with pytest.raises(UpdateAlreadyProcessed, match="update 1 is already done"):
            finish_update(slow, update=mine, now=NOW)
        slow.rollback()
        # A failure reported for it afterwards changes nothing either.
        fail_update(slow, update=mine, error="late", now=NOW)
        slow.commit()
        assert (mine.status, mine.attempts, mine.error) == ("done", 0, None)


def test_two_workers_claiming_at_once_share_no_update_and_no_chat(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite runs one writer at a time (BEGIN IMMEDIATE)")
    with Session(engine) as session:
        for update_id, chat in [(1, ANA), (2, BIA), (3, DESK), (4, ANA), (5, BIA), (6, -7)]:
            receive(session, update_id, chat)
        session.commit()

    with Session(engine) as first, Session(engine) as second:
        held = claim_updates(first, limit=2, now=NOW)  # ANA's and BIA's heads, now locked
        assert [u.update_id for u in held] == [1, 2]
        # The second worker skips the locked heads and their chats' later updates (4, 5).
        assert claimed(second) == [3, 6]

        for update in held:
            finish_update(first, update=update, now=NOW)
        first.commit()
        second.rollback()
        assert claimed(second) == [3, 4, 5, 6]


def test_parallel_workers_process_every_update_once_one_at_a_time_per_chat(
    engine: Engine,
) -> None:
    chats = [ANA, BIA, DESK]  # fewer chats than workers, so workers contend for each chat
    with Session(engine) as session:
        for n in range(30):
            receive(session, n + 1, chats[n % len(chats)])
        session.commit()
    processed: list[tuple[int | None, int]] = []
    in_flight: set[int | None] = set()
    overlaps: list[int | None] = []
    guard = threading.Lock()
    errors: list[BaseException] = []
    deadline = time.monotonic() + 60

    def work() -> None:
        try:
            while time.monotonic() < deadline:
                with Session(engine) as session:
                    batch = claim_updates(session, limit=1, now=NOW)
                    if not batch:
                        left = session.exec(
                            select(func.count()).where(col(InboxUpdate.status) == "pending")
                        ).one()
                        if left == 0:
                            return
                        time.sleep(0.002)  # the rest is held by other workers
                        continue
                    [update] = batch
                    with guard:
                        if update.chat_id in in_flight:
                            overlaps.append(update.chat_id)
                        in_flight.add(update.chat_id)
                        processed.append((update.chat_id, update.update_id))
                    time.sleep(0.002)  # the work, while other workers keep claiming
                    finish_update(session, update=update, now=NOW)
                    with guard:
                        # Before the commit: only then may another worker take the chat.
                        in_flight.discard(update.chat_id)
                    session.commit()
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=90)

    assert errors == []
    assert overlaps == []
    assert sorted(update_id for _, update_id in processed) == list(range(1, 31))
    for chat in chats:
        order = [update_id for c, update_id in processed if c == chat]
        assert order == sorted(order) and len(order) == 10


def test_finishing_writes_the_row_at_once_and_leaves_the_object_reading_it(
    session: Session,
) -> None:
    receive(session, 1, ANA)
    session.commit()
    [update] = claim_updates(session, limit=1, now=NOW)
    later = NOW + timedelta(seconds=3)

    finish_update(session, update=update, now=later)

    # The object reads the new state with nothing left for a flush to write again.
    assert (update.status, update.processed_at) == ("done", later)
    assert update not in session.dirty
    # The caller may still change the row through the object (the dispatcher erases payloads).
    update.payload = {"erased": True}
    session.add(update)
    session.commit()
    session.expire_all()
    stored = the_update(session, 1)
    assert (stored.status, stored.processed_at, stored.payload) == ("done", later, {"erased": True})


def test_finishing_an_update_another_worker_finishes_while_holding_its_lock_is_refused(
    engine: Engine,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite runs one writer at a time (BEGIN IMMEDIATE)")
    with Session(engine) as session:
        receive(session, 1, ANA)
        session.commit()
    with Session(engine) as holder, Session(engine) as late:
        [held] = claim_updates(holder, limit=1, now=NOW)  # row-locked until holder commits
        stale = the_update(late, 1)  # read without the lock, while still pending
        outcome: list[BaseException | None] = []

        def finish_late() -> None:
            try:
                finish_update(late, update=stale, now=NOW)
                outcome.append(None)
            except BaseException as exc:  # reported to the test thread
                outcome.append(exc)

        waiting = threading.Thread(target=finish_late)
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive(), "the late finish must wait for the row lock"
        finish_update(holder, update=held, now=NOW)
        holder.commit()
        waiting.join(10)

        assert len(outcome) == 1 and isinstance(outcome[0], UpdateAlreadyProcessed)
        assert outcome[0].status == "done"
        late.rollback()


def test_finishing_an_update_that_is_not_stored_fails(session: Session) -> None:
    receive(session, 1, ANA)
    session.commit()
    update = the_update(session, 1)
    session.delete(update)
    session.commit()

    with pytest.raises(LookupError, match="is not stored"):
        finish_update(
            session, update=InboxUpdate(id=update.id, update_id=1, received_at=NOW), now=NOW
        )
