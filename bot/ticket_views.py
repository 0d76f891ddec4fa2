"""Storage tickets as the flows see them: the current user's tickets only."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from flows.ports import HistoryEntry, TicketView
from storage import (
    Ticket,
    history,
    normalize_code,
    queue_position,
    rating_of,
    ticket_by_code,
    tickets_in_attendance,
    tickets_of_user,
)


def ticket_view(
    session: Session, ticket: Ticket, *, with_history: bool = True, new: bool = False
) -> TicketView:
    """One ticket with its queue position, the history its owner may see, and the rating.

    `new`: the ticket was opened in this transaction, so it has no rating to look up.
    """
    assert ticket.id is not None
    entries: tuple[HistoryEntry, ...] = ()
    if with_history:
        entries = tuple(
            HistoryEntry(at=e.created_at, text=e.text or "", status=e.to_status)
            for e in history(session, ticket_id=ticket.id, for_user=True)
        )
    rating = None if new else rating_of(session, ticket_id=ticket.id)
    return TicketView(
        code=ticket.code,
        offer_id=ticket.offer_id,
        category=ticket.category,
        status=ticket.status,
        created_at=ticket.created_at,
        due_at=ticket.due_at,
        queue_position=queue_position(session, ticket=ticket),
        history=entries,
        rating=rating.score if rating else None,
        with_agent=ticket.assigned_agent_id is not None,
    )


class StoreTicketReader:
    """flows.ports.TicketReader over the SQL store, scoped to one user."""

    def __init__(self, session: Session, user_id: int) -> None:
        self._session = session
        self._user_id = user_id

    def tickets_of_user(self) -> Sequence[TicketView]:
        """The user's tickets, newest first (no history: the list does not show it)."""
        rows = tickets_of_user(self._session, user_id=self._user_id)
        return [ticket_view(self._session, t, with_history=False) for t in rows]

    def ticket(self, code: str) -> TicketView | None:
        """The ticket with this code (as typed) if the user owns it; None otherwise."""
        normalized = normalize_code(code)
        found = ticket_by_code(self._session, code=normalized) if normalized else None
        if found is None or found.requester_id != self._user_id:
            return None
        return ticket_view(self._session, found)

    def in_attendance(self) -> Sequence[TicketView]:
        """The user's open tickets an agent has taken, newest first.

        Only what the relay needs is read: no history, rating or queue position (an open
        ticket cannot be rated, and one in attendance has left the queue).
        """
        rows = tickets_in_attendance(self._session, user_id=self._user_id)
        return [
            TicketView(
                code=row.code,
                offer_id=row.offer_id,
                category=row.category,
                status=row.status,
                created_at=row.created_at,
                due_at=row.due_at,
                with_agent=True,
            )
            for row in rows
        ]
