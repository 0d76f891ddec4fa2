"""What the agents' desk changes on a ticket: who has it, its priority, offer, level and place."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.lifecycle import Status
from storage.tables import Ticket
from storage.tickets import change_status


def assign_agent(session: Session, *, ticket: Ticket, agent_id: int | None) -> int | None:
    """Give the ticket to an agent (None: to nobody); returns the agent who had it."""
    previous = ticket.assigned_agent_id
    ticket.assigned_agent_id = agent_id
    session.add(ticket)
    return previous


def set_priority(session: Session, *, ticket: Ticket, priority: int) -> int:
    """Set the ticket's priority (1 most urgent … 5); returns the old one."""
    old, ticket.priority = ticket.priority, priority
    session.add(ticket)
    session.flush()  # the queue's order, read next, depends on it
    return old


def transfer_ticket(
    session: Session,
    *,
    ticket: Ticket,
    offer_id: str,
    keep_category: bool,
    actor: str,
    now: datetime,
) -> None:
    """Move the ticket to another offer's queue: unassigned, back to `novo` if it had left it."""
    ticket.offer_id = offer_id
    if not keep_category:
        ticket.category = None
    ticket.assigned_agent_id = None
    session.add(ticket)
    if ticket.status != Status.NOVO:
        # Back to the queue: the right team takes it from there.
        change_status(session, ticket=ticket, to=Status.NOVO, actor=actor, now=now)


def escalate_ticket(session: Session, *, ticket: Ticket, now: datetime) -> None:
    """Mark the ticket escalated to level 2 (it then moves to the level-2 chat)."""
    ticket.escalated_at = now
    session.add(ticket)


def place_ticket(session: Session, *, ticket: Ticket, chat_id: int) -> None:
    """The ticket now lives in `chat_id`: its topic and card there are yet to be made."""
    ticket.agent_chat_id = chat_id
    ticket.topic_thread_id = None
    ticket.card_message_id = None
    session.add(ticket)
    session.flush()


def record_topic(session: Session, *, ticket: Ticket, thread_id: int) -> None:
    """Telegram made the ticket's forum topic."""
    ticket.topic_thread_id = thread_id
    session.add(ticket)
    session.flush()


def record_card(session: Session, *, ticket: Ticket, message_id: int) -> None:
    """Telegram posted the ticket's card."""
    ticket.card_message_id = message_id
    session.add(ticket)
    session.flush()


def forget_topic(session: Session, *, ticket: Ticket) -> None:
    """The ticket's topic is gone (deleted by someone): no topic, no card until re-made."""
    ticket.topic_thread_id = None
    ticket.card_message_id = None
    session.add(ticket)
