"""What flows need from the desk, as Protocols and plain data: triage, ticket reads, clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from knowledge_base.decision import Decision
from knowledge_base.models import KnowledgeBase

from .queue_ports import QueueReader

OPEN_STATUSES = frozenset({"novo", "em_atendimento", "aguardando_usuario"})
RATABLE_STATUSES = frozenset({"resolvido", "fechado"})


class Triage(Protocol):
    """The triage engine (`knowledge_base.triage.Triage`)."""

    def decide(self, text: str) -> Decision:
        """The catalog decision for one message."""
        ...

    def category(self, offer_id: str, text: str) -> str | None:
        """The offer's category a reply to the category question describes, if clear."""
        ...


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a ticket's history the user may see."""

    at: datetime
    text: str
    status: str | None = None


@dataclass(frozen=True)
class TicketView:
    """A ticket as its owner sees it."""

    code: str
    offer_id: str
    category: str | None
    status: str
    created_at: datetime
    due_at: datetime | None = None
    queue_position: int | None = None
    history: tuple[HistoryEntry, ...] = ()
    rating: int | None = None
    # An agent has taken the ticket and may be talking to the user about it.
    with_agent: bool = False

    @property
    def cancellable(self) -> bool:
        """Whether the user may still withdraw it."""
        return self.status in OPEN_STATUSES

    @property
    def in_attendance(self) -> bool:
        """Whether the user's messages go to the agent working on it."""
        return self.with_agent and self.status in OPEN_STATUSES

    @property
    def ratable(self) -> bool:
        """Whether the user may rate it now."""
        return self.status in RATABLE_STATUSES and self.rating is None


class TicketReader(Protocol):
    """Read access to the current user's tickets; other users' tickets are invisible."""

    def tickets_of_user(self) -> Sequence[TicketView]:
        """The user's tickets, any status, newest first."""
        ...

    def ticket(self, code: str) -> TicketView | None:
        """The ticket with this code if the current user owns it, else None."""
        ...

    def in_attendance(self) -> Sequence[TicketView]:
        """The user's open tickets an agent has taken (`TicketView.in_attendance`)."""
        ...


@dataclass(frozen=True)
class Services:
    """Everything `advance` reads besides the state and the event."""

    kb: KnowledgeBase
    triage: Triage
    tickets: TicketReader
    now: datetime
    user_id: int
    # The Balcão Virtual's live queues (None where the front end has none: a ticket instead).
    queue: QueueReader | None = None
