"""Retention: old processed updates and finished calls go; pending, recent and the newest stay."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session, col, select

from storage.inbox import fail_update, finish_update, record_update
from storage.message_links import link_message
from storage.outbox import drop_pending_for_chat, enqueue, mark_failed, mark_sent
from storage.retention import Purged, purge
from storage.tables import InboxUpdate, MessageLink, OutboxMessage, Ticket

from .conftest import NOW

OLD = NOW - timedelta(days=40)
CUTOFF = NOW - timedelta(days=30)


def receive(session: Session, update_id: int, *, processed: str | None, at: float = -40) -> None:
    """An update received and (unless `processed` is None) processed `at` days from NOW."""
    when = NOW + timedelta(days=at)
    payload = {"message": {"text": f"update {update_id}"}}
    record_update(session, update_id=update_id, chat_id=7, payload=payload, now=when)
    row = session.exec(select(InboxUpdate).where(InboxUpdate.update_id == update_id)).one()
    if processed == "done":
        finish_update(session, update=row, now=when)
    elif processed == "failed":
        fail_update(session, update=row, error="boom", now=when, max_attempts=1)
    elif processed == "retrying":
        fail_update(session, update=row, error="boom", now=when, max_attempts=5)


def call(session: Session, text: str, *, at: float = -40, chat_id: int = 7) -> OutboxMessage:
    return enqueue(
        session,
        chat_id=chat_id,
        method="sendMessage",
        params={"text": text},
        now=NOW + timedelta(days=at),
    )


def inbox_left(session: Session) -> list[int]:
    rows = session.exec(select(InboxUpdate.update_id).order_by(col(InboxUpdate.update_id)))
    return list(rows.all())


def outbox_left(session: Session) -> list[str]:
    rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    return [r.params["text"] for r in rows]


def test_old_processed_updates_go_and_pending_or_recent_ones_stay(session: Session) -> None:
    receive(session, 1, processed="done")
    receive(session, 2, processed="failed")
    receive(session, 3, processed=None)  # never picked up: still to be processed
    receive(session, 4, processed="retrying")  # failed once, to be tried again
    receive(session, 5, processed="done", at=-35)
    receive(session, 6, processed="done", at=-1)

    purged = purge(session, before=CUTOFF)
    session.commit()

    assert purged.inbox == 3
    assert inbox_left(session) == [3, 4, 6]


def test_the_newest_update_stays_however_old_since_polling_resumes_after_it(
    session: Session,
) -> None:
    receive(session, 1, processed="done")
    receive(session, 2, processed="done")

    assert purge(session, before=CUTOFF).inbox == 1
    session.commit()

    assert inbox_left(session) == [2]


def test_old_finished_calls_go_and_pending_or_recent_ones_stay(session: Session) -> None:
    sent = call(session, "sent long ago")
    mark_sent(session, message=sent, telegram_message_id=1, now=OLD)
    failed = call(session, "failed long ago", chat_id=8)
    mark_failed(session, message=failed, error="400", now=OLD)
    call(session, "dropped long ago", chat_id=9)
    drop_pending_for_chat(session, chat_id=9, reason="403", now=OLD)
    call(session, "pending since long ago", chat_id=10)
    recent = call(session, "sent yesterday", at=-1, chat_id=11)
    mark_sent(session, message=recent, telegram_message_id=2, now=NOW - timedelta(days=1))
    late = call(session, "queued long ago, sent yesterday", chat_id=12)
    mark_sent(session, message=late, telegram_message_id=3, now=NOW - timedelta(days=1))

    purged = purge(session, before=CUTOFF)
    session.commit()

    assert purged == Purged(inbox=0, outbox=3)
    assert outbox_left(session) == [
        "pending since long ago",
        "sent yesterday",
        "queued long ago, sent yesterday",
    ]


def test_a_relayed_messages_link_outlives_its_purged_call(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket()
    copy = call(session, "a user's message, copied to the agents", chat_id=-100)
    mark_sent(session, message=copy, telegram_message_id=55, now=OLD)
    waiting = call(session, "a copy still to be sent", chat_id=-101)
    for row, sent_as in ((copy, 55), (waiting, None)):
        link_message(
            session,
            ticket=ticket,
            direction="in",
            content="text",
            user_chat_id=7,
            user_message_id=3,
            agent_chat_id=row.chat_id,
            agent_message_id=sent_as,
            outbox_id=row.id,
            now=OLD,
        )

    assert purge(session, before=CUTOFF).outbox == 1
    session.commit()
    session.expire_all()

    links = session.exec(select(MessageLink).order_by(col(MessageLink.id))).all()
    # The sent copy's link keeps what edits need; the pending one still points at its call.
    assert [(lk.agent_message_id, lk.outbox_id) for lk in links] == [(55, None), (None, waiting.id)]
    assert outbox_left(session) == ["a copy still to be sent"]
