"""What desk decisions ask for; the executor (bot/agents/executor.py) carries them out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flows.actions import Keyboard
from storage import EventKind


@dataclass(frozen=True)
class Say:
    """Answer where the agent acted (their topic, replying to their message)."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)
    buttons: Keyboard = ()


@dataclass(frozen=True)
class Alert:
    """Answer a button press with an alert (nothing is posted in the chat)."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class PostInThread:
    """Post in the ticket's topic (or under its card), placed when sent."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class TellRequester:
    """Tell the ticket's requester; where they cannot be reached, the agent is told instead."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    """An audit entry for this action."""

    action: str
    outcome: str = "ok"
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class AddToHistory:
    """An entry by the agent in the ticket's history."""

    kind: EventKind
    text: str
    visible_to_user: bool | None = None


@dataclass(frozen=True)
class AddRenderedToHistory:
    """A history entry whose text is a rendered template (transfers, escalations)."""

    kind: EventKind
    template: str
    params: Mapping[str, object]
    visible_to_user: bool | None = None


@dataclass(frozen=True)
class Assign:
    """Give the ticket to the acting agent (or to nobody), and update its card."""

    to_agent: bool = True


@dataclass(frozen=True)
class ChangeStatus:
    """Move the ticket; the requester, the queue and the card follow. A refusal (someone moved
    it first) is answered and audited as `action`, and the actions after it are skipped."""

    to: str
    action: str
    text: str | None = None


@dataclass(frozen=True)
class SetPriority:
    """Reorder the offer's queue."""

    priority: int


@dataclass(frozen=True)
class Transfer:
    """Move the ticket to another offer's queue (and chat), telling the old thread."""

    offer_id: str


@dataclass(frozen=True)
class Escalate:
    """Move the ticket to a level-2 chat, telling the old thread."""

    chat_id: int


@dataclass(frozen=True)
class RelayReply:
    """The agent's message in the thread goes to the requester, signed."""


@dataclass(frozen=True)
class RelayText:
    """A text from the agent (as /resolver's argument) goes to the requester, signed."""

    text: str


@dataclass(frozen=True)
class Unlock:
    """Lift an agent's lockout."""

    telegram_user_id: int


@dataclass(frozen=True)
class AtCounter:
    """A Balcão Virtual attendant's command (/proximo, /encerrar): the live queue decides it
    (flows/counter.py) and applies it (bot/live_queue/counter.py) in this transaction."""

    command: str
    args: str


DeskAction = (
    Say
    | Alert
    | PostInThread
    | TellRequester
    | Record
    | AddToHistory
    | AddRenderedToHistory
    | Assign
    | ChangeStatus
    | SetPriority
    | Transfer
    | Escalate
    | RelayReply
    | RelayText
    | Unlock
    | AtCounter
)
