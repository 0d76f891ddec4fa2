"""News the user did not ask for: status changes and queue positions, queued in the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from bot.desk import Desk, Incoming
from flows.events import TicketStatusChanged
from storage import (
    POSITION,
    Status,
    Ticket,
    User,
    drop_pending_for_ticket,
    enqueue,
)
from storage.position_messages import queue_position_message
from storage.queue import pending_out_of_queue, queued_tickets

LEFT_QUEUE = "the ticket left the queue"


class Pushes:
    """Writes push messages in the caller's transaction, next to the change that caused them."""

    def __init__(self, desk: Desk, clock: Callable[[], datetime]) -> None:
        self.desk = desk
        self.clock = clock
        # Told of every status change (the resolution clocks), in the same transaction.
        self.on_moved: Callable[[Session, Ticket], None] | None = None

    def moved(self, session: Session, ticket: Ticket) -> None:
        """A ticket changed status without news for its requester (the user answered)."""
        if self.on_moved is not None:
            self.on_moved(session, ticket)

    def status_changed(self, session: Session, ticket: Ticket) -> None:
        """Tell the requester the ticket's new status (resolved also asks for a rating)."""
        self.moved(session, ticket)
        if ticket.status != Status.NOVO.value and ticket.id is not None:
            # A position still waiting out its minute would arrive after this news, and be false.
            drop_pending_for_ticket(
                session, ticket_id=ticket.id, kind=POSITION, reason=LEFT_QUEUE, now=self.clock()
            )
        user = self._requester(session, ticket)
        if user is None:
            return
        event = TicketStatusChanged(ticket.code, ticket.status)
        incoming = Incoming(user.chat_id, user.telegram_user_id, user.name, event, user.username)
        for call in self.desk.handle(session, incoming):
            enqueue(
                session,
                chat_id=call.chat_id,
                method=call.method,
                params=call.params,
                now=self.clock(),
                kind="status",
                ticket_id=ticket.id,
            )

    def queue_changed(self, session: Session, offer_id: str, from_position: int = 1) -> None:
        """Push the new position of every waiting ticket at or behind `from_position`.

        Coalesced by the outbox: at most one position message per ticket per minute, editing
        the last one sent rather than adding a new message to the chat.
        """
        # One statement for the queue with its requesters' chats, another for stale messages:
        # only the tickets that moved cost statements of their own.
        queued = queued_tickets(session, offer_id=offer_id)
        self._drop_stale_positions(session, offer_id)
        for ticket in queued[max(from_position, 1) - 1 :]:
            if ticket.chat_id is None:
                continue
            text = self.desk.renderer.render(
                "queue_position", {"code": ticket.code, "position": ticket.position}
            )
            queue_position_message(
                session,
                ticket_id=ticket.id,
                chat_id=ticket.chat_id,
                params={"text": text, "parse_mode": "HTML"},
                now=self.clock(),
            )

    def _drop_stale_positions(self, session: Session, offer_id: str) -> None:
        """Drop the pending position messages of the offer's tickets no longer in its queue."""
        # The ticket that just left (cancelled) may still have an edit waiting out its minute.
        for ticket_id in pending_out_of_queue(session, offer_id=offer_id, kind=POSITION):
            drop_pending_for_ticket(
                session, ticket_id=ticket_id, kind=POSITION, reason=LEFT_QUEUE, now=self.clock()
            )

    def _requester(self, session: Session, ticket: Ticket) -> User | None:
        if ticket.requester_id is None:
            return None
        user = session.get(User, ticket.requester_id)
        return None if user is None or user.unreachable else user
