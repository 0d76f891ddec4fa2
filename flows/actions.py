"""What a conversation asks the desk to do: replies to render and ticket operations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .events import Attachment
from .queue_actions import QueueAction


@dataclass(frozen=True)
class ButtonSpec:
    """An inline button: `label` names a macro in bot/templates/buttons.j2, called with params."""

    label: str
    data: str
    params: Mapping[str, object] = field(default_factory=dict)


Keyboard = tuple[tuple[ButtonSpec, ...], ...]


@dataclass(frozen=True)
class Reply:
    """A message to the user: bot/templates/<template>.j2 rendered with params."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)
    buttons: Keyboard = ()


@dataclass(frozen=True)
class OpenTicket:
    """Open a ticket; the desk then sends `flows.my_tickets.ticket_opened_reply` for it."""

    offer_id: str
    category: str | None
    fields: Mapping[str, str]
    attachments: tuple[Attachment, ...]
    priority: int


@dataclass(frozen=True)
class CancelTicket:
    """Cancel one of the user's open tickets (the flow already checked owner and status)."""

    code: str


@dataclass(frozen=True)
class RateTicket:
    """Store the user's rating (1-5) of a resolved ticket, as soon as they give it."""

    code: str
    score: int
    comment: str | None = None


@dataclass(frozen=True)
class CommentRating:
    """Add the user's optional comment to the rating they already gave."""

    code: str
    comment: str


@dataclass(frozen=True)
class ExportUserData:
    """Send the user everything stored about them (template `data_export`)."""


@dataclass(frozen=True)
class EraseUserData:
    """Erase the user's personal data, keeping anonymous ticket statistics."""


@dataclass(frozen=True)
class RelayToTicket:
    """Pass the user's message (text or a file) to the agents working on one of their tickets."""

    code: str
    text: str | None = None
    attachment: Attachment | None = None
    # The user's message, so an edit of it can be followed (None: relay by content only).
    message_id: int | None = None


@dataclass(frozen=True)
class NoteGap:
    """Remember a question the knowledge base did not answer (the supervisors' gaps report).

    kind: "none" (no route), "abandoned" (a clarifying question left), "not_solved" (article).
    """

    kind: str
    text: str
    article_id: str | None = None


Action = (
    Reply
    | OpenTicket
    | CancelTicket
    | RateTicket
    | CommentRating
    | ExportUserData
    | EraseUserData
    | RelayToTicket
    | QueueAction
    | NoteGap
)
