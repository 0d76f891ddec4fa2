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
from storage import Agent, EventKind, Ticket, add_event, agent_actor, audit

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


@dataclass
class DeskServices:
    """The knowledge base, templates, settings, pushes to users, the clock and the 2FA policy.

    Not frozen: a live reload replaces `kb` (bot/kb_reload.py), between turns.
    """

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

    def record(self, action: str, outcome: str = "ok", **details: object) -> None:
        """Append this action to the audit log."""
        audit(
            self.session,
            action=action,
            now=self.now,
            actor_telegram_id=self.agent.telegram_user_id,
            actor_name=self.agent.display_name,
            ticket=self.ticket,
            outcome=outcome,
            details=details,
        )

    def add_event(self, kind: EventKind, text: str, *, visible_to_user: bool | None = None) -> None:
        """Append an entry by this agent to the ticket's history."""
        assert self.ticket is not None
        add_event(
            self.session,
            ticket=self.ticket,
            kind=kind,
            actor=self.actor,
            now=self.now,
            text=text,
            visible_to_user=visible_to_user,
        )
