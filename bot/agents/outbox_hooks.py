"""The sender's hooks for the desk: place rows in their topic when sent, record what Telegram
returned (topic, card, copies), scrub secrets, and re-create a deleted topic."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sqlmodel import Session

from bot.agents.cards import card_params, topic_name
from bot.agents.desk_services import CARD, RELAY_IN, RELAY_OUT, THREADED, TOPIC, DeskServices
from bot.two_factor.enrollment_chat import SECRET
from bot.user_turn import EXPORT
from storage import (
    Ticket,
    copy_sent,
    drop_row,
    enqueue,
    forget_topic,
    lock_ticket,
    move_links,
    outbox_row,
    pending_thread_rows,
    record_card,
    record_topic,
    scrub_row,
)


class QueuedCall(Protocol):
    """An outbox row as the sender hands it to the hooks (bot.telegram.sender.Job)."""

    @property
    def id(self) -> int: ...
    @property
    def chat_id(self) -> int: ...
    @property
    def params(self) -> Mapping[str, Any]: ...
    @property
    def kind(self) -> str: ...
    @property
    def ticket_id(self) -> int | None: ...


# What a secret-bearing row keeps once sent or given up: nothing of the call itself.
SCRUBBED = {"scrubbed": True}
# Rows that carry a secret (a TOTP key) or a user's whole data (their export document).
SCRUBBED_KINDS = frozenset({SECRET, EXPORT})
_PLACEMENT = ("message_thread_id", "reply_parameters")


class DeskOutbox:
    """Sender hooks (`resolve_params`, `on_sent`, `on_failed`, `on_thread_lost`) for the desk."""

    def __init__(self, services: DeskServices) -> None:
        self.services = services

    def resolve_params(self, session: Session, job: QueuedCall) -> Mapping[str, Any]:
        """A threaded row's params with its ticket's topic (or card to reply to) filled in."""
        if job.kind not in THREADED or job.ticket_id is None:
            return job.params
        ticket = session.get(Ticket, job.ticket_id)
        if ticket is None or ticket.agent_chat_id != job.chat_id:
            return job.params
        params = dict(job.params)
        if job.kind == CARD:
            # The card shows the ticket as it is when it goes out, not when it was queued.
            params = {**params, **card_params(self.services, session, ticket)}
        if ticket.topic_thread_id is not None:
            params["message_thread_id"] = ticket.topic_thread_id
        elif ticket.card_message_id is not None and job.kind != CARD:
            # No topics in this group: the card's replies are the ticket's thread.
            params["reply_parameters"] = {
                "message_id": ticket.card_message_id,
                "allow_sending_without_reply": True,
            }
        return params

    def on_sent(self, session: Session, job: QueuedCall, result: Any) -> None:
        """Keep what the desk needs from Telegram's answer."""
        if job.kind in SCRUBBED_KINDS:
            self._scrub(session, job)
            return
        if not isinstance(result, Mapping):
            return
        if job.kind in (RELAY_IN, RELAY_OUT) and isinstance(result.get("message_id"), int):
            copy_sent(session, outbox_id=job.id, message_id=result["message_id"])
            return
        ticket = session.get(Ticket, job.ticket_id) if job.ticket_id is not None else None
        if ticket is None or ticket.agent_chat_id != job.chat_id:
            return
        if job.kind == TOPIC and isinstance(result.get("message_thread_id"), int):
            record_topic(session, ticket=ticket, thread_id=result["message_thread_id"])
        elif job.kind == CARD and isinstance(result.get("message_id"), int):
            record_card(session, ticket=ticket, message_id=result["message_id"])

    def on_failed(self, session: Session, job: QueuedCall, error: str) -> None:
        """A secret never stays in the outbox, sent or not.

        A refused createForumTopic (the group has no topics, or the bot may not manage them)
        needs nothing: the ticket keeps no topic, so its card and messages go to the group.
        """
        if job.kind in SCRUBBED_KINDS:
            self._scrub(session, job)

    def on_thread_lost(self, session: Session, job: QueuedCall) -> bool:
        """Someone deleted the ticket's topic: a new one, a new card, and the rows queued again.

        Under the ticket's row lock, which every transaction queueing a row for the ticket's
        thread takes first (posting.queue) and keeps till commit: such a row committed before
        the lock is granted is found below and queued again; one not yet numbered then waits
        for this commit and comes after the new topic. None goes out while there is no topic.
        """
        if job.kind not in THREADED or job.ticket_id is None:
            return False
        lock_ticket(session, ticket_id=job.ticket_id)
        # Read after the lock: the ticket as the last transaction to hold it left it.
        ticket = session.get(Ticket, job.ticket_id, populate_existing=True)
        if ticket is None or ticket.agent_chat_id != job.chat_id:
            return False
        now = self.services.clock()
        # The lost row and every later one of this ticket in this chat, in their order.
        assert ticket.id is not None
        later = pending_thread_rows(
            session, chat_id=job.chat_id, ticket_id=ticket.id, kinds=THREADED, after_id=job.id
        )
        forget_topic(session, ticket=ticket)
        name = {"name": topic_name(self.services, ticket)}
        enqueue(
            session,
            chat_id=job.chat_id,
            method="createForumTopic",
            params=name,
            now=now,
            kind=TOPIC,
            ticket_id=ticket.id,
        )
        if job.kind != CARD:
            enqueue(
                session,
                chat_id=job.chat_id,
                method="sendMessage",
                params={},
                now=now,
                kind=CARD,
                ticket_id=ticket.id,
            )
        lost = outbox_row(session, outbox_id=job.id)
        for row in [lost, *later]:
            if row is None:
                continue
            params = {k: v for k, v in row.params.items() if k not in _PLACEMENT}
            copy = enqueue(
                session,
                chat_id=row.chat_id,
                method=row.method,
                params=params,
                now=now,
                kind=row.kind,
                ticket_id=row.ticket_id,
            )
            move_links(session, old=row.id, new=copy.id)
            if row is not lost:
                drop_row(session, row=row, reason="queued again after the topic was re-created")
        session.flush()
        return True

    def _scrub(self, session: Session, job: QueuedCall) -> None:
        scrub_row(session, outbox_id=job.id, params=SCRUBBED)
