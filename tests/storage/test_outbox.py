"""Outbox: queued with the state change, due in order per chat, retried, dropped, coalesced."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.outbox import (
    OutboxStatus,
    drop_pending_for_chat,
    drop_pending_for_ticket,
    due_messages,
    enqueue,
    last_sent,
    mark_failed,
    mark_sent,
    retry_later,
)
from storage.position_messages import (
    POSITION,
    position_key,
    queue_position_message,
    upsert_position_message,
)
from storage.tables import ERROR_MAX_LENGTH, OutboxMessage, Ticket

from .conftest import NOW

ANA = 7_123_456_789
BIA = 7_123_456_790
DESK = -1_002_345_678_901


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def say(session: Session, chat_id: int, text: str, **options: Any) -> OutboxMessage:
    options.setdefault("now", NOW)
    return enqueue(session, chat_id=chat_id, method="sendMessage", params={"text": text}, **options)


def due(session: Session, now: datetime = NOW, **options: Any) -> list[str]:
    options.setdefault("limit", 10)
    return [m.params.get("text", m.method) for m in due_messages(session, now=now, **options)]


def rows(session: Session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


@pytest.fixture
def ticket(session: Session, make_ticket: Callable[..., Ticket]) -> Ticket:
    return make_ticket()


def test_a_queued_message_is_pending_and_due_at_once(session: Session, ticket: Ticket) -> None:
    message = enqueue(
        session,
        chat_id=ANA,
        method="sendMessage",
        params={"text": "<b>Chamado aberto</b>", "parse_mode": "HTML"},
        now=NOW,
        kind="status",
        ticket_id=ticket.id,
    )
    session.commit()

    [stored] = rows(session)
    assert stored.id == message.id
    assert (stored.chat_id, stored.method, stored.kind, stored.ticket_id) == (
        ANA,
        "sendMessage",
        "status",
        ticket.id,
    )
    assert stored.params == {"text": "<b>Chamado aberto</b>", "parse_mode": "HTML"}
    assert (stored.status, stored.attempts, stored.not_before, stored.created_at) == (
        "pending",
        0,
        NOW,
        NOW,
    )
    assert (stored.sent_at, stored.telegram_message_id, stored.error, stored.dedupe_key) == (
        None,
        None,
        None,
        None,
    )


def test_a_message_is_queued_in_the_callers_transaction(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket()
    say(session, ANA, "Chamado aberto", ticket_id=ticket.id)
    session.rollback()  # the state change failed: its notification goes with it
    assert rows(session) == []
    assert session.exec(select(Ticket)).all() == []


def test_params_must_not_carry_the_chat(session: Session) -> None:
    with pytest.raises(ValueError, match="chat_id"):
        enqueue(
            session,
            chat_id=ANA,
            method="sendMessage",
            params={"chat_id": ANA, "text": "x"},
            now=NOW,
        )


def test_an_unknown_ticket_is_refused(session: Session) -> None:
    with pytest.raises(IntegrityError):
        say(session, ANA, "x", ticket_id=404)


def test_only_the_first_pending_message_of_each_chat_is_due_oldest_first(
    session: Session,
) -> None:
    for chat, text in [(BIA, "b1"), (ANA, "a1"), (BIA, "b2"), (DESK, "d1"), (ANA, "a2")]:
        say(session, chat, text)
    session.commit()

    assert due(session) == ["b1", "a1", "d1"]
    assert due(session, limit=2) == ["b1", "a1"]
    assert due(session, limit=0) == []
    assert due(session, busy_chats={BIA, DESK}) == ["a1"]


def test_due_queue_positions_come_after_every_other_due_head(session: Session) -> None:
    # A command moved a long queue: positions for others were queued before the news it is about.
    say(session, BIA, "position of bia", kind=POSITION)
    say(session, DESK, "position in desk", kind=POSITION)
    say(session, ANA, "status of ana", kind="status")
    say(session, DESK, "after the position")
    session.commit()

    assert due(session) == ["status of ana", "position of bia", "position in desk"]
    assert due(session, limit=1) == ["status of ana"]


def test_chats_out_of_their_rate_limit_are_left_out_except_for_unlimited_calls(
    session: Session,
) -> None:
    say(session, ANA, "a1")
    enqueue(
        session,
        chat_id=BIA,
        method="answerCallbackQuery",
        params={"callback_query_id": "9"},
        now=NOW,
    )
    say(session, DESK, "d1")
    say(session, BIA, "b2")
    session.commit()

    limited = {"limited_chats": {ANA, BIA}, "unlimited_methods": {"answerCallbackQuery"}}
    assert due(session, **limited) == ["answerCallbackQuery", "d1"]
    assert due(session, limited_chats={ANA, BIA}) == ["d1"]
    # A limited chat's later messages never overtake its head.
    assert due(session, limited_chats={ANA}, busy_chats={DESK}) == ["answerCallbackQuery"]


@pytest.mark.slow
def test_enqueue_works_as_the_first_orm_step_of_a_process(tmp_path: Path) -> None:
    """enqueue builds its object by hand: it must not rely on an earlier query having run."""
    script = f"""
from datetime import datetime, UTC
from sqlmodel import Session, SQLModel
import storage.tables
from storage import enqueue, make_engine
engine = make_engine("sqlite:///{tmp_path / "first.db"}")
SQLModel.metadata.create_all(engine)
with Session(engine) as session, session.begin():
    row = enqueue(session, chat_id=1, method="sendMessage", params={{"text": "Oi"}},
                  now=datetime.now(UTC))
    print(row.id, row.status)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1", "pending"]


@pytest.mark.parametrize("outcome", ["sent", "failed", "dropped"])
def test_a_chats_next_message_waits_until_the_previous_one_is_done_with(
    session: Session, outcome: str
) -> None:
    first = say(session, ANA, "a1")
    say(session, ANA, "a2", now=at(1))
    session.commit()
    assert due(session, at(1)) == ["a1"]
    assert due(session, at(1)) == ["a1"]  # asking again does not skip ahead

    if outcome == "sent":
        mark_sent(session, message=first, telegram_message_id=501, now=at(1))
    elif outcome == "failed":
        mark_failed(session, message=first, error="400 Bad Request: message is too long", now=at(1))
    else:
        # Only what was queued up to the cut-off goes: a1, not a2.
        assert drop_pending_for_chat(session, chat_id=ANA, reason="403", now=NOW) == 1
    session.commit()

    assert first.status == OutboxStatus(outcome)
    assert due(session, at(1)) == ["a2"]


def test_sent_messages_keep_telegrams_message_id_and_time(session: Session) -> None:
    message = say(session, DESK, "Novo chamado SUP-4F2K9Q")
    mark_sent(session, message=message, telegram_message_id=9_000_000_001, now=at(2))
    session.commit()
    session.expire_all()

    [stored] = rows(session)
    assert (stored.status, stored.attempts, stored.sent_at, stored.telegram_message_id) == (
        "sent",
        1,
        at(2),
        9_000_000_001,
    )
    assert due(session, at(3)) == []


def test_a_message_waiting_for_a_retry_holds_back_its_chat_only(session: Session) -> None:
    first = say(session, ANA, "a1")
    say(session, ANA, "a2")
    say(session, BIA, "b1")
    session.commit()

    retry_later(
        session, message=first, not_before=at(30), error="429 Too Many Requests: retry after 30"
    )
    session.commit()

    assert due(session, at(10)) == ["b1"]
    [again] = due_messages(session, now=at(30), limit=10)[:1]
    assert (again.params["text"], again.attempts, again.error) == (
        "a1",
        1,
        "429 Too Many Requests: retry after 30",
    )
    assert due(session, at(30)) == ["a1", "b1"]


def test_a_message_is_not_due_before_its_time(session: Session) -> None:
    message = say(session, ANA, "a1")
    retry_later(session, message=message, not_before=at(5), error="502 Bad Gateway")
    assert due(session, at(4.999)) == []
    assert due(session, at(5)) == ["a1"]


def test_failures_keep_a_clipped_error(session: Session) -> None:
    message = say(session, ANA, "a1")
    mark_failed(session, message=message, error="400 " + "y" * 2000, now=NOW)
    session.commit()
    session.expire_all()
    [stored] = rows(session)
    assert (stored.status, stored.attempts) == ("failed", 1)
    assert stored.error is not None and len(stored.error) == ERROR_MAX_LENGTH


def test_a_blocked_user_has_their_messages_dropped_and_stalls_no_one(session: Session) -> None:
    first = say(session, ANA, "a1")
    say(session, ANA, "a2")
    say(session, ANA, "a3")
    say(session, BIA, "b1")
    session.commit()

    # The sender got 403 for a1: it records the failure and drops the rest of the chat.
    mark_failed(session, message=first, error="403 Forbidden: bot was blocked by the user", now=NOW)
    assert drop_pending_for_chat(session, chat_id=ANA, reason="blocked", now=NOW) == 2
    later = say(session, ANA, "a4", now=at(60))  # the user unblocked and wrote again
    session.commit()

    assert [(m.params["text"], m.status, m.error) for m in rows(session)] == [
        ("a1", "failed", "403 Forbidden: bot was blocked by the user"),
        ("a2", "dropped", "blocked"),
        ("a3", "dropped", "blocked"),
        ("b1", "pending", None),
        ("a4", "pending", None),
    ]
    assert later.status == "pending"
    assert due(session, at(60)) == ["b1", "a4"]
    assert drop_pending_for_chat(session, chat_id=BIA, reason="blocked", now=at(60)) == 1


def test_a_pending_message_with_the_same_dedupe_key_is_updated_not_repeated(
    session: Session, ticket: Ticket
) -> None:
    first = say(session, ANA, "Sua posição na fila: 3", dedupe_key="position:1")
    say(session, ANA, "outra coisa")
    again = enqueue(
        session,
        chat_id=ANA,
        method="sendMessage",
        params={"text": "Sua posição na fila: 2"},
        now=at(5),
        kind="position",
        ticket_id=ticket.id,
        dedupe_key="position:1",
    )
    session.commit()

    assert again.id == first.id
    assert [(m.params["text"], m.kind, m.ticket_id) for m in rows(session)] == [
        ("Sua posição na fila: 2", "position", ticket.id),
        ("outra coisa", "reply", None),
    ]
    assert due(session, at(5)) == ["Sua posição na fila: 2"]  # it kept its place

    mark_sent(session, message=again, telegram_message_id=501, now=at(5))
    # Once sent, the key is free for the next pending message.
    third = say(session, ANA, "Sua posição na fila: 1", dedupe_key="position:1", now=at(9))
    session.commit()
    assert third.id != first.id
    assert [m.dedupe_key for m in rows(session)] == ["position:1", None, "position:1"]


def test_last_sent_is_the_tickets_latest_sent_message_of_the_kind(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    ticket, other = make_ticket(), make_ticket()
    assert last_sent(session, ticket_id=ticket.id or 0, kind=POSITION) is None

    def push(text: str, ticket_id: int | None, kind: str = POSITION) -> OutboxMessage:
        return say(session, ANA, text, ticket_id=ticket_id, kind=kind)

    old, new = push("3", ticket.id), push("2", ticket.id)
    status, elsewhere, pending = (
        push("s", ticket.id, "status"),
        push("x", other.id),
        push("1", ticket.id),
    )
    for n, message in enumerate([old, new, status, elsewhere], start=1):
        mark_sent(session, message=message, telegram_message_id=500 + n, now=at(n))
    session.commit()

    latest = last_sent(session, ticket_id=ticket.id or 0, kind=POSITION)
    assert latest is not None and (latest.id, latest.sent_at) == (new.id, at(2))
    assert pending.status == "pending"


def position(session: Session, ticket: Ticket, place: int, now: datetime) -> OutboxMessage:
    return upsert_position_message(
        session,
        ticket_id=ticket.id or 0,
        chat_id=ANA,
        params={"text": f"Sua posição na fila: {place}", "parse_mode": "HTML"},
        now=now,
    )


def test_position_pushes_coalesce_into_one_pending_message(
    session: Session, ticket: Ticket
) -> None:
    first = position(session, ticket, 5, NOW)
    second = position(session, ticket, 4, at(1))
    session.commit()

    assert second.id == first.id
    [stored] = rows(session)
    assert (stored.method, stored.kind, stored.dedupe_key, stored.ticket_id) == (
        "sendMessage",
        "position",
        position_key(ticket.id or 0),
        ticket.id,
    )
    assert stored.params == {"text": "Sua posição na fila: 4", "parse_mode": "HTML"}
    assert stored.not_before == NOW


def test_position_changes_edit_the_last_message_at_most_once_a_minute(
    session: Session, ticket: Ticket
) -> None:
    sent = position(session, ticket, 5, NOW)
    mark_sent(session, message=sent, telegram_message_id=501, now=at(2))
    session.commit()

    edit = position(session, ticket, 4, at(10))
    assert (edit.method, edit.not_before) == ("editMessageText", at(62))
    assert edit.params == {
        "text": "Sua posição na fila: 4",
        "parse_mode": "HTML",
        "message_id": 501,
    }
    again = position(session, ticket, 3, at(20))
    assert (again.id, again.params["text"], again.not_before) == (
        edit.id,
        "Sua posição na fila: 3",
        at(62),
    )
    session.commit()

    assert due(session, at(61)) == []
    assert due(session, at(62)) == ["Sua posição na fila: 3"]
    # editMessageText may report no message_id: the next edit still targets message 501.
    mark_sent(session, message=again, telegram_message_id=None, now=at(62))
    late = position(session, ticket, 2, at(200))
    assert (late.method, late.params["message_id"], late.not_before) == (
        "editMessageText",
        501,
        at(200),
    )


def test_a_position_waiting_out_its_minute_holds_back_nothing(
    session: Session, ticket: Ticket
) -> None:
    sent = position(session, ticket, 5, NOW)
    mark_sent(session, message=sent, telegram_message_id=501, now=NOW)
    position(session, ticket, 4, at(10))  # due at +60 s
    say(session, ANA, "Resposta do atendente", now=at(15))
    session.commit()

    assert due(session, at(15)) == ["Resposta do atendente"]
    assert due(session, at(60)) == ["Sua posição na fila: 4"]


def test_a_stale_position_can_be_dropped_when_the_ticket_leaves_the_queue(
    session: Session, ticket: Ticket
) -> None:
    sent = position(session, ticket, 2, NOW)
    mark_sent(session, message=sent, telegram_message_id=501, now=NOW)
    position(session, ticket, 1, at(10))
    status = say(session, ANA, "Em atendimento", kind="status", ticket_id=ticket.id, now=at(20))

    dropped = drop_pending_for_ticket(
        session, ticket_id=ticket.id or 0, kind=POSITION, reason="ticket taken", now=at(20)
    )
    assert dropped == 1
    assert [m.status for m in rows(session)] == ["sent", "dropped", "pending"]
    assert due(session, at(60)) == ["Em atendimento"]
    assert status.status == "pending"


def test_position_params_must_not_carry_the_chat_or_the_message(
    session: Session, ticket: Ticket
) -> None:
    with pytest.raises(ValueError, match="message_id"):
        upsert_position_message(
            session, ticket_id=ticket.id or 0, chat_id=ANA, params={"message_id": 1}, now=NOW
        )


def test_two_senders_at_once_share_no_message_and_no_chat(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite runs one writer at a time (BEGIN IMMEDIATE)")
    with Session(engine) as session:
        for chat, text in [(ANA, "a1"), (BIA, "b1"), (ANA, "a2"), (DESK, "d1")]:
            say(session, chat, text)
        session.commit()

    with Session(engine) as first, Session(engine) as second:
        held = due_messages(first, now=NOW, limit=1)
        assert [m.params["text"] for m in held] == ["a1"]
        assert due(second) == ["b1", "d1"]  # a1 is locked, and a2 must not overtake it

        mark_sent(first, message=held[0], telegram_message_id=501, now=NOW)
        first.commit()
        second.rollback()
        assert due(second) == ["b1", "a2", "d1"]


def test_a_position_push_waits_for_the_send_in_flight_then_edits_it(
    engine: Engine, make_ticket: Callable[..., Ticket], session: Session
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite runs one writer at a time (BEGIN IMMEDIATE)")
    ticket = make_ticket()
    position(session, ticket, 3, NOW)
    session.commit()
    results: list[tuple[int | None, str, dict[str, Any], datetime]] = []
    errors: list[BaseException] = []

    def push_while_sending() -> None:
        try:
            with Session(engine) as dispatcher:
                pushed = position(dispatcher, ticket, 2, at(70))
                results.append((pushed.id, pushed.method, pushed.params, pushed.not_before))
                dispatcher.commit()
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    with Session(engine) as sender:
        [in_flight] = due_messages(sender, now=NOW, limit=10)
        in_flight_id = in_flight.id
        pusher = threading.Thread(target=push_while_sending)
        pusher.start()
        pusher.join(timeout=0.5)
        assert pusher.is_alive(), "the push must wait for the send in flight"
        mark_sent(sender, message=in_flight, telegram_message_id=777, now=at(1))
        sender.commit()
    pusher.join(timeout=30)

    assert errors == []
    [(pushed_id, method, params, not_before)] = results
    assert pushed_id != in_flight_id
    assert (method, params["message_id"], not_before) == ("editMessageText", 777, at(70))


def test_enqueue_returns_the_stored_row_as_a_persistent_object(session: Session) -> None:
    message = say(session, ANA, "oi", ticket_id=None, kind="reply")

    # The same object a query returns, and it carries every column as stored.
    assert session.get(OutboxMessage, message.id) is message
    assert (message.status, message.attempts, message.not_before, message.created_at) == (
        "pending",
        0,
        NOW,
        NOW,
    )
    assert (message.sent_at, message.telegram_message_id, message.error) == (None, None, None)
    mark_sent(session, message=message, telegram_message_id=501, now=at(1))
    session.commit()
    session.expire_all()
    [stored] = rows(session)
    assert (stored.id, stored.status, stored.attempts, stored.telegram_message_id) == (
        message.id,
        "sent",
        1,
        501,
    )


def test_queueing_a_position_updates_the_sessions_object_for_the_row(
    session: Session, ticket: Ticket
) -> None:
    loaded = position(session, ticket, 5, NOW)
    params = {"text": "Sua posição na fila: 4", "parse_mode": "HTML"}

    message_id = queue_position_message(
        session, ticket_id=ticket.id or 0, chat_id=ANA, params=params, now=at(1)
    )

    assert message_id == loaded.id
    assert loaded.params == params
    session.commit()
    session.expire_all()
    [stored] = rows(session)
    assert (stored.id, stored.params, stored.not_before) == (message_id, params, NOW)


def test_queueing_the_same_position_again_writes_nothing(
    session: Session, engine: Engine, ticket: Ticket
) -> None:
    params = {"text": "Sua posição na fila: 4", "parse_mode": "HTML"}
    first = queue_position_message(
        session, ticket_id=ticket.id or 0, chat_id=ANA, params=params, now=NOW
    )
    writes: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        again = queue_position_message(
            session, ticket_id=ticket.id or 0, chat_id=ANA, params=params, now=at(1)
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert (again, writes) == (first, [])
