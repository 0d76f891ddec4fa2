"""News the user did not ask for: queue positions and status changes, queued in the outbox."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from bot.user_turn import Incoming, UserTurn
from flows.events import TicketStatusChanged
from storage import POSITION, Status, Ticket, User, drop_pending_for_ticket, enqueue
from storage.position_messages import queue_position_message
from storage.queue import pending_out_of_queue, queued_tickets

LEFT_QUEUE = "the ticket left the queue"


class Texts(Protocol):
    """What renders a position message (bot.rendering.Renderer)."""

    def render(self, template: str, params: Mapping[str, object]) -> str:
        """The text of a template."""
        ...


class Pushes:
    """Queue positions, written in the caller's transaction next to the change that moved them."""

    def __init__(
        self,
        texts: Texts,
        clock: Callable[[], datetime],
        on_moved: Callable[[Session, Ticket], None] | None = None,
    ) -> None:
        self.texts = texts
        self.clock = clock
        # Told of every status change (the resolution clocks), in the same transaction.
        self.on_moved = on_moved

    def moved(self, session: Session, ticket: Ticket) -> None:
        """A ticket changed status without news for its requester (the user answered)."""
        if self.on_moved is not None:
            self.on_moved(session, ticket)

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
            text = self.texts.render(
                "queue_position", {"code": ticket.code, "position": ticket.position}
            )
            queue_position_message(
                session,
                ticket_id=ticket.id,
                chat_id=ticket.chat_id,
                params={"text": text, "parse_mode": "HTML"},
                now=self.clock(),
            )

    def left_queue(self, session: Session, ticket: Ticket) -> None:
        """A position still waiting out its minute would arrive after other news, and be false."""
        if ticket.id is not None:
            drop_pending_for_ticket(
                session, ticket_id=ticket.id, kind=POSITION, reason=LEFT_QUEUE, now=self.clock()
            )

    def _drop_stale_positions(self, session: Session, offer_id: str) -> None:
        """Drop the pending position messages of the offer's tickets no longer in its queue."""
        # The ticket that just left (cancelled) may still have an edit waiting out its minute.
        for ticket_id in pending_out_of_queue(session, offer_id=offer_id, kind=POSITION):
            drop_pending_for_ticket(
                session, ticket_id=ticket_id, kind=POSITION, reason=LEFT_QUEUE, now=self.clock()
            )


class StatusNews:
    """Tells the requester a ticket's new status through their conversation (resolved asks
    for a rating), in the caller's transaction."""

    def __init__(self, turn: UserTurn, pushes: Pushes, clock: Callable[[], datetime]) -> None:
        self.turn = turn
        self.pushes = pushes
        self.clock = clock

    def status_changed(self, session: Session, ticket: Ticket) -> None:
        """Tell the requester the ticket's new status."""
        self.pushes.moved(session, ticket)
        if ticket.status != Status.NOVO.value:
            self.pushes.left_queue(session, ticket)
        user = self._requester(session, ticket)
        if user is None:
            return
        event = TicketStatusChanged(ticket.code, ticket.status)
        incoming = Incoming(user.chat_id, user.telegram_user_id, user.name, event, user.username)
        for call in self.turn.handle(session, incoming):
            enqueue(
                session,
                chat_id=call.chat_id,
                method=call.method,
                params=call.params,
                now=self.clock(),
                kind="status",
                ticket_id=ticket.id,
            )

    def _requester(self, session: Session, ticket: Ticket) -> User | None:
        if ticket.requester_id is None:
            return None
        user = session.get(User, ticket.requester_id)
        return None if user is None or user.unreachable else user
