"""What a desk decision may read: the ticket and the agent as facts, and a read-only reader."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.agents.settings import DeskSettings
from knowledge_base.models import KnowledgeBase


@dataclass(frozen=True)
class TicketFacts:
    """A ticket as the desk decides on it (a snapshot: changing it changes nothing)."""

    code: str
    status: str
    offer_id: str
    category: str | None
    priority: int
    assigned_agent_id: int | None
    escalated: bool
    agent_chat_id: int | None
    requester_reachable: bool
    # Who opened it (None: erased); only they may write to it.
    requester_id: int | None = None


@dataclass(frozen=True)
class AgentFacts:
    """The agent acting."""

    id: int
    telegram_user_id: int
    name: str
    supervisor: bool


class DeskReader(Protocol):
    """Read-only look-ups the desk's answers need (the store, or a fake in unit tests)."""

    def queues(self) -> Sequence[Mapping[str, Any]]:
        """Waiting tickets per offer: name, count, created_at of each, in queue order."""
        ...

    def search(self, text: str) -> Sequence[Mapping[str, Any]]:
        """Tickets whose code or fields contain the text, as the templates show them."""
        ...

    def ticket_info(self, code: str) -> Mapping[str, Any] | None:
        """One ticket as the templates show it (None: no such ticket)."""
        ...

    def audit(self, code: str | None, limit: int) -> Sequence[Any]:
        """The newest audit entries (of one ticket, or all), oldest first."""
        ...

    def agent_name(self, telegram_user_id: int) -> str | None:
        """A registered agent's display name (None: not an agent)."""
        ...


@dataclass(frozen=True)
class DeskView:
    """Everything a decision reads: who acts, on which ticket, when, and what the desk knows."""

    agent: AgentFacts
    ticket: TicketFacts | None
    now: datetime
    kb: KnowledgeBase
    settings: DeskSettings
    reader: DeskReader

    @property
    def by(self) -> dict[str, object]:
        """Template params naming the agent."""
        return {"agent": self.agent.name}
