"""The facts the relay's decisions read (bot/agents/relay_facts.py), from the store and updates."""

from __future__ import annotations

from sqlmodel import Session

from bot.agents.desk_services import Act
from bot.agents.desk_view import TicketFacts
from bot.agents.group_updates import GroupMessage
from bot.agents.posting import requester
from bot.agents.relay_facts import AgentMessage, LinkFacts, UserEdit, UserFacts
from bot.agents.store_reader import ticket_facts
from storage import MessageLink, Ticket, User, attachments_of


def user_facts(user: User) -> UserFacts:
    """A stored user as the relay addresses them."""
    assert user.id is not None
    return UserFacts(id=user.id, chat_id=user.chat_id, name=user.name)


def requester_of(session: Session, ticket: Ticket | None) -> UserFacts | None:
    """The ticket's requester, if they can still be reached."""
    user = None if ticket is None else requester(session, ticket)
    return None if user is None else user_facts(user)


def snapshot(session: Session, ticket: Ticket | None) -> TicketFacts | None:
    """The ticket's facts (None: no ticket)."""
    return None if ticket is None else ticket_facts(session, ticket)


def files_of(session: Session, ticket: Ticket | None) -> int:
    """How many files the ticket has kept."""
    if ticket is None or ticket.id is None:
        return 0
    return len(attachments_of(session, ticket_id=ticket.id))


def agent_message(message: GroupMessage) -> AgentMessage:
    """An agent's group message as the relay reads it."""
    return AgentMessage(
        chat_id=message.chat_id,
        message_id=message.message_id,
        text=message.body,
        caption=message.caption,
        media=message.media,
    )


def typed_message(act: Act, text: str) -> AgentMessage:
    """A text the agent typed as a command's argument, relayed like a message of theirs."""
    return AgentMessage(chat_id=act.chat_id, message_id=act.message_id or 0, text=text)


def user_edit(message: GroupMessage) -> UserEdit:
    """A user's edit in their private chat."""
    return UserEdit(name=message.sender.name, text=message.body)


def link_facts(link: MessageLink | None) -> LinkFacts | None:
    """A stored relay link's facts (None: the message was not relayed)."""
    if link is None:
        return None
    return LinkFacts(
        direction=link.direction,
        user_chat_id=link.user_chat_id,
        user_message_id=link.user_message_id,
        agent_chat_id=link.agent_chat_id,
        agent_message_id=link.agent_message_id,
    )
