"""Messages about a ticket in attendance go to its agent; with several, the user picks one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from . import answers, personal, triage_questions
from .actions import Action, RelayToTicket, Reply
from .events import Attachment, Button, Event, Text
from .keyboards import button, column
from .ports import Services, TicketView
from .state import IDLE, ConversationState, CorruptState, Step, get_mapping, get_str

CHOOSE = "relay_choose"
NEW_PROBLEM = "rl:new"
PREFIX = "rl:"
# The choice shows at most this many tickets; more in attendance at once is unheard of.
CHOICE_LIMIT = 8


def in_attendance(services: Services) -> list[TicketView]:
    """The user's open tickets an agent has taken, newest first."""
    # Asked on every message from idle: the reader answers it with one narrow query.
    views = [v for v in services.tickets.in_attendance() if v.in_attendance]
    return sorted(views, key=lambda v: v.created_at, reverse=True)[:CHOICE_LIMIT]


def offer(event: Event, services: Services) -> Step | None:
    """From idle: relay a message to the one ticket in attendance, or ask which; None: none."""
    if not isinstance(event, Text | Attachment) or (isinstance(event, Text) and not event.text):
        return None
    views = in_attendance(services)
    if not views:
        return None
    if len(views) == 1:
        return Step(IDLE, (_relay(views[0].code, _message(event)),))
    return Step(ConversationState(CHOOSE, {"message": _message(event)}), prompt=True)


def on_choose(state: ConversationState, event: Event, services: Services) -> Step | None:
    """A ticket button (or its number), or "it is a new problem"."""
    message = _saved(state)
    views = in_attendance(services)
    codes = [v.code for v in views]
    if isinstance(event, Button) and event.data == NEW_PROBLEM:
        text = message.get("text")
        if isinstance(text, str) and text.strip():
            return triage_questions.start(text, services)
        return Step(IDLE, prompt=True)
    chosen: str | None = None
    if isinstance(event, Button) and event.data.startswith(PREFIX):
        chosen = event.data[len(PREFIX) :]
    elif isinstance(event, Text):
        index = answers.pick(event.text, [[code] for code in codes])
        chosen = codes[index] if index is not None else None
    if chosen is None:
        return None
    if chosen not in codes:
        return Step(IDLE, (Reply("desk/relay_unavailable", {"code": chosen[:40]}),), prompt=True)
    return Step(IDLE, (_relay(chosen, message), Reply("desk/relay_sent", {"code": chosen})))


def prompt_choose(state: ConversationState, services: Services) -> list[Action]:
    """Which ticket is this message about?"""
    _saved(state)
    views = in_attendance(services)
    if not views:
        return [Reply("desk/relay_unavailable", {"code": ""})]
    keys = column(
        [button("ticket", f"{PREFIX}{v.code}", code=v.code) for v in views]
        + [button("relay_new", NEW_PROBLEM)]
    )
    params = {"tickets": [{"code": v.code, "status": v.status} for v in views]}
    return [Reply("desk/relay_choose", params, keys)]


def _message(event: Text | Attachment) -> dict[str, Any]:
    if isinstance(event, Text):
        # The agents see the message, and the relay_choose state keeps it: no CPF in either.
        text, _ = personal.mask_cpf(event.text)
        return {"text": text, "message_id": event.message_id}
    return {
        "file_id": event.file_id,
        "file_name": event.file_name,
        "size": event.size,
        "mime_type": event.mime_type,
        "kind": event.kind,
    }


def _saved(state: ConversationState) -> Mapping[str, Any]:
    message = get_mapping(state.data, "message")
    if message is None:
        raise CorruptState("relay_choose without a message")
    if "file_id" in message:
        get_str(message, "file_id")
    else:
        get_str(message, "text")
    return message


def _relay(code: str, message: Mapping[str, Any]) -> RelayToTicket:
    if "file_id" in message:
        kind: Literal["document", "photo"] = (
            "photo" if message.get("kind") == "photo" else "document"
        )
        size = message.get("size")
        attachment = Attachment(
            str(message["file_id"]),
            str(message.get("file_name") or ""),
            size if isinstance(size, int) else 0,
            str(message.get("mime_type") or ""),
            kind,
        )
        return RelayToTicket(code, attachment=attachment)
    message_id = message.get("message_id")
    return RelayToTicket(
        code,
        text=str(message["text"]),
        message_id=message_id if isinstance(message_id, int) else None,
    )
