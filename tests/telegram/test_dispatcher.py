"""The dispatcher's group commit: several chats' updates per transaction, each in a savepoint.

Every test runs the real desk on a SQLite file (WAL) and on PostgreSQL (a schema of its own,
see tests/stores.py). An unreachable PostgreSQL server skips those cases, except under CI=true,
where they fail.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

import storage.tables  # noqa: F401  (registers the tables)
from bot.outbound import Outbound
from bot.rendering import Renderer
from bot.telegram.dispatcher import Dispatcher
from bot.telegram.updates import to_incoming
from bot.user_turn import UserTurn
from knowledge_base.loader import load_knowledge_base
from knowledge_base.models import KnowledgeBase
from knowledge_base.triage import Triage
from storage import (
    InboxUpdate,
    OutboxMessage,
    User,
    record_update,
    user_by_telegram_id,
)
from tests.desk.driver import KB_DIR, SEI_PROBLEM, Clock
from tests.stores import postgres_server, store_engine

__all__ = ["postgres_server"]  # the fixture, for the PostgreSQL cases

MAX_ATTEMPTS = 5  # fail_update's default

ANA, BIA, CAIO, DORA = 7_123_456_701, 7_123_456_702, 7_123_456_703, 7_123_456_704

Handler = Callable[[Session, Mapping[str, Any]], list[Outbound] | None]


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty store holding every table: a SQLite file, or a fresh schema."""
    yield from store_engine(request.param, request, tmp_path)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(KB_DIR)


@pytest.fixture
def desk(kb: KnowledgeBase) -> UserTurn:
    """The real desk (flows, triage, templates) with a fixed clock."""
    return UserTurn(kb, Triage(kb), Renderer(kb), Clock())


# ---------------------------------------------------------------------------------------------
# Helpers


def dispatcher(
    engine: Engine, desk: UserTurn, *, handler: Handler | None = None, **options: Any
) -> Dispatcher:
    return Dispatcher(engine, desk, Clock(), private_handler=handler, **options)


def text_update(update_id: int, chat: int, text: str = SEI_PROBLEM) -> dict[str, Any]:
    """A private-chat text message as the Bot API delivers it."""
    sender = {"id": chat, "is_bot": False, "first_name": f"Pessoa {chat % 1000}"}
    message = {
        "message_id": update_id,
        "date": 1748865600,
        "chat": {"id": chat, "type": "private"},
        "from": sender,
        "text": text,
    }
    return {"update_id": update_id, "message": message}


def store(engine: Engine, *updates: dict[str, Any]) -> None:
    with Session(engine) as session, session.begin():
        for update in updates:
            chat = update["message"]["chat"]["id"]
            update_id = update["update_id"]
            record_update(session, update_id=update_id, chat_id=chat, payload=update, now=Clock()())


def inbox(engine: Engine) -> dict[int, tuple[str, int, str | None]]:
    """update_id -> (status, attempts, error)."""
    with Session(engine) as session:
        rows = session.exec(select(InboxUpdate).order_by(col(InboxUpdate.id))).all()
        return {row.update_id: (row.status, row.attempts, row.error) for row in rows}


def outbox(engine: Engine, chat: int) -> list[tuple[str, dict[str, Any]]]:
    """The calls queued for a chat, in order: (method, params)."""
    with Session(engine) as session:
        query = select(OutboxMessage).where(OutboxMessage.chat_id == chat)
        rows = session.exec(query.order_by(col(OutboxMessage.id))).all()
        return [(row.method, dict(row.params)) for row in rows]


def user_stored(engine: Engine, chat: int) -> bool:
    with Session(engine) as session:
        return user_by_telegram_id(session, telegram_user_id=chat) is not None


def count_commits(engine: Engine) -> list[int]:
    """A one-element list counting the COMMITs the engine issues from now on."""
    counter = [0]

    def committed(_connection: Any) -> None:
        counter[0] += 1

    event.listen(engine, "commit", committed)
    return counter


def chat_of(payload: Mapping[str, Any]) -> int:
    incoming = to_incoming(payload)
    assert incoming is not None
    return incoming.chat_id


def apology(desk: UserTurn) -> tuple[str, dict[str, Any]]:
    text = desk.renderer.render("internal_error", {})
    return ("sendMessage", {"text": text, "parse_mode": "HTML"})


# ---------------------------------------------------------------------------------------------
# Tests


def test_one_commit_queues_the_replies_of_a_batch_of_chats(engine: Engine, desk: UserTurn) -> None:
    chats = [ANA, BIA, CAIO, DORA]
    store(engine, *(text_update(n + 1, chat) for n, chat in enumerate(chats)))
    commits = count_commits(engine)

    assert dispatcher(engine, desk).process_batch() == 4

    assert commits[0] == 1
    assert inbox(engine) == {n + 1: ("done", 0, None) for n in range(len(chats))}
    for chat in chats:
        replies = outbox(engine, chat)
        assert replies and all(method == "sendMessage" for method, _ in replies)
        assert user_stored(engine, chat)
    # Committed updates are never handed out again.
    queued = {chat: outbox(engine, chat) for chat in chats}
    assert dispatcher(engine, desk).process_batch() == 0
    assert {chat: outbox(engine, chat) for chat in chats} == queued


def test_batches_hold_at_most_batch_size_updates(engine: Engine, desk: UserTurn) -> None:
    store(engine, *(text_update(n + 1, chat) for n, chat in enumerate([ANA, BIA, CAIO])))
    commits = count_commits(engine)
    worker = dispatcher(engine, desk, batch_size=2)

    assert worker.process_batch() == 2
    assert [status for status, _, _ in inbox(engine).values()] == ["done", "done", "pending"]
    assert worker.process_batch() == 1
    assert worker.process_batch() == 0
    assert commits[0] == 3  # the last one claimed nothing and committed an empty transaction


def test_process_one_handles_the_oldest_update_alone(engine: Engine, desk: UserTurn) -> None:
    store(engine, text_update(1, ANA), text_update(2, BIA))
    worker = dispatcher(engine, desk)

    assert worker.process_one() is True
    assert inbox(engine)[1][0] == "done" and inbox(engine)[2][0] == "pending"
    assert outbox(engine, ANA) and not outbox(engine, BIA)
    assert worker.process_one() is True
    assert worker.process_one() is False


async def test_after_commit_runs_once_per_committed_batch(engine: Engine, desk: UserTurn) -> None:
    store(engine, *(text_update(n + 1, chat) for n, chat in enumerate([ANA, BIA, CAIO])))
    stop = asyncio.Event()
    woken: list[dict[int, tuple[str, int, str | None]]] = []

    def after_commit() -> None:
        woken.append(inbox(engine))  # what the sender would find when woken
        stop.set()

    worker = Dispatcher(engine, desk, Clock(), workers=1, after_commit=after_commit)
    await asyncio.wait_for(worker.run(stop), timeout=60)

    assert woken == [{1: ("done", 0, None), 2: ("done", 0, None), 3: ("done", 0, None)}]


def test_each_chat_gets_one_update_per_batch_in_order(engine: Engine, desk: UserTurn) -> None:
    store(
        engine,
        text_update(1, ANA, SEI_PROBLEM),
        text_update(2, ANA, "oi"),
        text_update(3, BIA, SEI_PROBLEM),
        text_update(4, ANA, "obrigada"),
    )
    batches: list[list[int]] = []

    def record(_session: Session, payload: Mapping[str, Any]) -> None:
        batches[-1].append(payload["update_id"])  # then the desk handles it

    worker = dispatcher(engine, desk, handler=record)
    for expected in ([1, 3], [2], [4], []):
        batches.append([])
        assert worker.process_batch() == len(expected)
        assert batches[-1] == expected
        if expected == [1, 3]:
            assert inbox(engine)[2][0] == inbox(engine)[4][0] == "pending"
    assert all(status == "done" for status, _, _ in inbox(engine).values())


def test_a_failing_update_takes_its_batch_back_then_runs_alone_retried_then_given_up(
    engine: Engine, desk: UserTurn, caplog: pytest.LogCaptureFixture
) -> None:
    store(
        engine,
        text_update(1, ANA),
        text_update(2, BIA),  # poison
        text_update(3, CAIO),
        text_update(4, BIA, "oi"),  # waits behind the poison
    )
    seen: list[int] = []

    def poison(session: Session, payload: Mapping[str, Any]) -> list[Outbound] | None:
        seen.append(payload["update_id"])
        if payload["update_id"] != 2:
            return None
        incoming = to_incoming(payload)
        assert incoming is not None
        desk.handle(session, incoming)  # writes the user, the conversation...
        raise RuntimeError("handler bug")  # ...all of which must be rolled back

    worker = dispatcher(engine, desk, handler=poison)
    commits = count_commits(engine)

    assert worker.process_batch() == 3
    # No savepoints: the batch is rolled back as a whole when update 2 raises, then each
    # update runs in a transaction of its own (1 commits, 2's failure is counted, 3 commits).
    assert seen == [1, 2, 1, 2, 3]
    assert commits[0] == 3
    states = inbox(engine)
    assert states[1] == states[3] == ("done", 0, None)
    assert states[2] == ("pending", 1, "RuntimeError: handler bug")
    assert states[4] == ("pending", 0, None)
    assert outbox(engine, ANA) and outbox(engine, CAIO)
    assert outbox(engine, BIA) == [] and not user_stored(engine, BIA)
    failures = [r for r in caplog.records if r.name == "bot.telegram.dispatcher"]
    assert [r.getMessage() for r in failures] == [
        "transaction of updates [1, 2, 3] failed",
        "transaction of updates [2] failed",
    ]
    assert failures[0].exc_info is not None

    # Retried first in its chat (update 4 never overtakes it) until given up.
    for attempt in range(2, MAX_ATTEMPTS + 1):
        assert worker.process_batch() == 1
        assert inbox(engine)[2][:2] == (
            ("failed", attempt) if attempt == MAX_ATTEMPTS else ("pending", attempt)
        )
        assert inbox(engine)[4] == ("pending", 0, None)
    assert seen == [1, 2, 1, 2, 3, 2, 2, 2, 2]
    assert outbox(engine, BIA) == [apology(desk)]
    assert not user_stored(engine, BIA)

    # Then the chat moves on.
    assert worker.process_batch() == 1
    assert inbox(engine)[4] == ("done", 0, None)
    assert len(outbox(engine, BIA)) > 1
    assert worker.process_batch() == 0
    assert seen == [1, 2, 1, 2, 3, 2, 2, 2, 2, 4]


def test_a_batch_failing_as_a_whole_is_retried_one_by_one_then_given_up(
    engine: Engine, desk: UserTurn, caplog: pytest.LogCaptureFixture
) -> None:
    store(engine, text_update(1, ANA), text_update(2, BIA), text_update(3, CAIO))
    seen: list[int] = []

    def fail_commit(session: Session, payload: Mapping[str, Any]) -> None:
        seen.append(payload["update_id"])
        if chat_of(payload) == BIA:
            # Nothing raises here: the transaction holding this update fails at COMMIT.
            session.connection().info["refuse_commit"] = True

    def commit(connection: Any) -> None:
        if connection.info.pop("refuse_commit", False):
            raise RuntimeError("commit refused")

    event.listen(engine, "commit", commit)
    worker = dispatcher(engine, desk, handler=fail_commit)

    # The batch fails; then each update alone: Ana's and Caio's commit, Bia's is counted.
    assert worker.process_batch() == 3
    assert seen == [1, 2, 3, 1, 2, 3]
    states = inbox(engine)
    assert states[1] == states[3] == ("done", 0, None)
    assert states[2] == ("pending", 1, "RuntimeError: commit refused")
    assert outbox(engine, ANA) and outbox(engine, CAIO)
    assert outbox(engine, BIA) == [] and not user_stored(engine, BIA)
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.dispatcher"]
    assert messages == [
        "transaction of updates [1, 2, 3] failed",
        "transaction of updates [2] failed",
    ]

    # A poison that only fails at commit still gets its attempts counted, then given up.
    for attempt in range(2, MAX_ATTEMPTS + 1):
        assert worker.process_batch() == 1
        assert inbox(engine)[2][:2] == (
            ("failed", attempt) if attempt == MAX_ATTEMPTS else ("pending", attempt)
        )
    assert outbox(engine, BIA) == [apology(desk)]
    assert worker.process_batch() == 0
    # Tried in the failed batch (not counted: that transaction committed nothing), then
    # alone once per counted attempt.
    assert seen.count(2) == 1 + MAX_ATTEMPTS


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_concurrent_batches_skip_each_other_s_chats(engine: Engine, desk: UserTurn) -> None:
    # PostgreSQL only: SQLite writers take turns (BEGIN IMMEDIATE), so batches never overlap.
    store(
        engine,
        text_update(1, ANA),
        text_update(2, CAIO),
        text_update(3, ANA, "oi"),
        text_update(4, BIA),
    )
    entered, release = threading.Event(), threading.Event()
    handled: list[int] = []

    def slow_on_ana(_session: Session, payload: Mapping[str, Any]) -> None:
        if payload["update_id"] == 1:
            entered.set()
            assert release.wait(timeout=30)
        handled.append(payload["update_id"])

    first = dispatcher(engine, desk, handler=slow_on_ana, batch_size=2)
    second = dispatcher(engine, desk, handler=slow_on_ana)
    with ThreadPoolExecutor(max_workers=1) as pool:
        held = pool.submit(first.process_batch)  # claims Ana's and Caio's heads (1, 2)
        assert entered.wait(timeout=30)
        try:
            # Ana's and Caio's chats are skipped: Ana's next update (3) may not overtake 1.
            assert second.process_batch() == 1
            assert handled == [4]
            assert inbox(engine)[3] == ("pending", 0, None)
        finally:
            release.set()
        assert held.result(timeout=60) == 2
    assert handled == [4, 1, 2]
    assert second.process_batch() == 1
    assert handled == [4, 1, 2, 3]
    assert all(status == "done" for status, _, _ in inbox(engine).values())


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_each_update_of_a_batch_reads_what_others_committed_meanwhile(
    engine: Engine, desk: UserTurn
) -> None:
    # PostgreSQL only: on SQLite no one else commits while a batch holds the write lock.
    store(engine, text_update(1, CAIO))
    assert dispatcher(engine, desk).process_batch() == 1
    store(engine, text_update(2, ANA), text_update(3, BIA))
    names: list[str] = []
    # Referenced, the row stays in the session's identity map between updates (reference
    # cycles between loaded objects do the same until the garbage collector runs).
    kept: list[User] = []

    def read_caio(session: Session, payload: Mapping[str, Any]) -> None:
        caio = user_by_telegram_id(session, telegram_user_id=CAIO)
        assert caio is not None
        kept.append(caio)
        names.append(caio.name)
        if payload["update_id"] == 2:
            # Another worker (an agent's command, say) renames Caio and commits.
            with Session(engine) as other, other.begin():
                renamed = user_by_telegram_id(other, telegram_user_id=CAIO)
                assert renamed is not None
                renamed.name = "Caio Prado"

    assert dispatcher(engine, desk, handler=read_caio).process_batch() == 2
    assert names == ["Pessoa 703", "Caio Prado"]
