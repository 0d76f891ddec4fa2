"""What every part of the agent desk uses: services, and the agent's action in progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.agents.second_factor import SecondFactor
from bot.agents.settings import DeskSettings
from bot.pushes import Pushes
from bot.rendering import Renderer
from knowledge_base.models import KnowledgeBase
from storage import Agent, Ticket, agent_actor

# Outbox kinds of the desk. Rows of THREADED kinds go to their ticket's topic (or under its card
# where the group has no topics), resolved when sent: the topic may not exist when they are queued.
TOPIC = "topic"
CARD = "card"
CARD_EDIT = "card_edit"
THREAD = "desk"
RELAY_IN = "relay"
RELAY_OUT = "relay_out"
IN_PLACE = "desk_reply"
TO_USER = "desk_user"
SECRET = "qr"
THREADED = frozenset({CARD, THREAD, RELAY_IN})


@dataclass(frozen=True)
class DeskServices:
    """The knowledge base, templates, settings, pushes to users, the clock and the 2FA policy."""

    kb: KnowledgeBase
    renderer: Renderer
    settings: DeskSettings
    pushes: Pushes
    clock: Callable[[], datetime]
    factor: SecondFactor


@dataclass
class Act:
    """One agent action: who, where they typed it, and the ticket it is about (if any)."""

    session: Session
    agent: Agent
    chat_id: int
    thread_id: int | None
    message_id: int | None
    ticket: Ticket | None
    now: datetime

    @property
    def actor(self) -> str:
        """The history's actor string for this agent."""
        return agent_actor(self.agent.telegram_user_id)
