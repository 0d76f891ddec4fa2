"""What desk decisions ask for; the executors (bot/agents/executor.py, relay_executor.py) carry
them out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flows.actions import Keyboard
from flows.events import Attachment
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
    """An entry by whoever acts (the agent; the user, for their messages) in the history."""

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
    (flows/counter_decisions.py) and applies it (bot/live_queue/counter.py) in this transaction."""

    command: str
    args: str


@dataclass(frozen=True)
class RelayToRequester:
    """An agent's message to the requester's chat, signed by the template; a media message is
    copied there with the signed text as its caption. The copy is linked to the agent's
    message, so an edit can follow it."""

    chat_id: int
    template: str
    params: Mapping[str, object]
    agent_chat_id: int
    agent_message_id: int
    media: bool = False


@dataclass(frozen=True)
class EditRequesterCopy:
    """An agent edited a relayed message: the requester's copy (`message_id`) is edited, its
    caption for media; with no copy yet (None), the edited version goes as a new message."""

    chat_id: int
    message_id: int | None
    template: str
    params: Mapping[str, object]
    agent_chat_id: int
    agent_message_id: int
    media: bool = False


@dataclass(frozen=True)
class NoteFirstResponse:
    """An agent answered the requester: the ticket's first response, if it is the first."""


@dataclass(frozen=True)
class ResumeAttendance:
    """The user answered a ticket waiting for them: back in attendance, by the user (no news
    for them), its resolution clock resumed."""


@dataclass(frozen=True)
class RelayToThread:
    """A user's message in the ticket's thread (in `chat_id`), linked to theirs so an edit of
    it can follow."""

    chat_id: int
    template: str
    params: Mapping[str, object]
    user_chat_id: int
    user_message_id: int | None


@dataclass(frozen=True)
class KeepFile:
    """A file the user sent is kept with the ticket (its reference, never the bytes)."""

    file: Attachment


@dataclass(frozen=True)
class RelayFileToThread:
    """A file the user sent, posted in the ticket's thread (in `chat_id`) with the template as
    its caption."""

    chat_id: int
    file: Attachment
    template: str
    params: Mapping[str, object]


@dataclass(frozen=True)
class EditThreadCopy:
    """The user edited a relayed message: the thread's copy (`message_id`, in `chat_id`) is
    edited; with none to edit (None: not sent yet, or the ticket moved), the edited version is
    posted anew."""

    chat_id: int
    message_id: int | None
    template: str
    params: Mapping[str, object]


@dataclass(frozen=True)
class ReplyToUser:
    """Answer the user in their chat, with the reply to their turn."""

    chat_id: int
    template: str
    params: Mapping[str, object] = field(default_factory=dict)


# What the relay's executor (bot/agents/relay_executor.py) applies, for an agent or a user.
RelayAction = (
    RelayToRequester
    | EditRequesterCopy
    | NoteFirstResponse
    | ResumeAttendance
    | RelayToThread
    | KeepFile
    | RelayFileToThread
    | EditThreadCopy
    | ReplyToUser
    | AddToHistory
    | AddRenderedToHistory
)


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
    | RelayToRequester
    | EditRequesterCopy
    | NoteFirstResponse
    | ResumeAttendance
    | RelayToThread
    | KeepFile
    | RelayFileToThread
    | EditThreadCopy
    | ReplyToUser
)
