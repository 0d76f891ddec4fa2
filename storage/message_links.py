"""Relayed messages between a user's chat and the agents' chat, so edits can follow them."""

from __future__ import annotations

from datetime import datetime
from typing import Final, Literal

from sqlmodel import Session, col, select

from storage.tables import MessageLink, Ticket

IN: Final = "in"  # the user's message, copied to the agents
OUT: Final = "out"  # an agent's message, copied to the user


def link_message(
    session: Session,
    *,
    ticket: Ticket,
    direction: Literal["in", "out"],
    content: Literal["text", "media"],
    user_chat_id: int,
    agent_chat_id: int,
    now: datetime,
    user_message_id: int | None = None,
    agent_message_id: int | None = None,
    outbox_id: int | None = None,
) -> MessageLink:
    """Remember a relay; the copy's id is filled in by `copy_sent` once the outbox sends it."""
    if ticket.id is None:
        raise ValueError("the ticket must be flushed before messages can be linked to it")
    link = MessageLink(
        ticket_id=ticket.id,
        direction=direction,
        content=content,
        user_chat_id=user_chat_id,
        user_message_id=user_message_id,
        agent_chat_id=agent_chat_id,
        agent_message_id=agent_message_id,
        outbox_id=outbox_id,
        created_at=now,
    )
    session.add(link)
    session.flush()
    return link


def copy_sent(session: Session, *, outbox_id: int, message_id: int) -> MessageLink | None:
    """Record the message id Telegram gave the copy sent by outbox row `outbox_id`."""
    link = session.exec(select(MessageLink).where(MessageLink.outbox_id == outbox_id)).first()
    if link is None:
        return None
    if link.direction == IN:
        link.agent_message_id = message_id
    else:
        link.user_message_id = message_id
    session.add(link)
    session.flush()
    return link


def link_of_user_message(session: Session, *, chat_id: int, message_id: int) -> MessageLink | None:
    """The relay of a message in a user's chat (theirs, or the copy of an agent's)."""
    query = select(MessageLink).where(
        col(MessageLink.user_chat_id) == chat_id, col(MessageLink.user_message_id) == message_id
    )
    return session.exec(query.order_by(col(MessageLink.id).desc())).first()


def link_of_agent_message(session: Session, *, chat_id: int, message_id: int) -> MessageLink | None:
    """The relay of a message in an agents' chat (an agent's, or the copy of a user's)."""
    query = select(MessageLink).where(
        col(MessageLink.agent_chat_id) == chat_id, col(MessageLink.agent_message_id) == message_id
    )
    return session.exec(query.order_by(col(MessageLink.id).desc())).first()


def ticket_of_link(session: Session, *, link: MessageLink) -> Ticket | None:
    """The ticket a relayed message belongs to."""
    return session.get(Ticket, link.ticket_id)
