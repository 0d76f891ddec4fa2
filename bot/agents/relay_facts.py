"""What the relay's decisions read besides the ticket: the users, the messages, their links."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UserFacts:
    """A user as the relay addresses them: the requester, or the user writing."""

    id: int
    chat_id: int
    name: str


@dataclass(frozen=True)
class AgentMessage:
    """An agent's message in a ticket's thread (or a text typed as a command's argument)."""

    chat_id: int
    message_id: int
    # Its text, or its caption ("" for none).
    text: str
    caption: str | None = None
    media: str | None = None


@dataclass(frozen=True)
class UserEdit:
    """A user's edit of a message in their private chat: their name as Telegram shows it now."""

    name: str
    text: str


@dataclass(frozen=True)
class LinkFacts:
    """A message already relayed: which way, and where the original and its copy are."""

    direction: str
    user_chat_id: int
    user_message_id: int | None
    agent_chat_id: int
    agent_message_id: int | None
