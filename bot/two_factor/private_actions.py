"""What the private-chat decisions (private_decisions.py) ask for; private_executor.py carries
them out. Secrets travel in fields kept out of every repr."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Say:
    """Answer in the private chat: bot/templates/<template>.j2 rendered with params."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class SendSecret:
    """The QR code of the otpauth:// URI, captioned by the template with the URI and secret;
    the outbox scrubs it once sent, and a confirmed code deletes it from the chat."""

    template: str
    uri: str = field(repr=False)
    secret: str = field(repr=False)


@dataclass(frozen=True)
class StartEnrollment:
    """Keep a new, unconfirmed sealed secret for the agent (replacing an unconfirmed one)."""

    sealed: str = field(repr=False)


@dataclass(frozen=True)
class AcceptCode:
    """A right code: the agent is confirmed and trusted until then, its time step used up."""

    step: int
    trusted_until: datetime


@dataclass(frozen=True)
class CountWrongCode:
    """A wrong code counts towards the lockout (the agent is locked when it reaches the limit)."""

    max_failures: int


@dataclass(frozen=True)
class DeleteMessage:
    """Delete a message the bot sent in the private chat."""

    message_id: int


@dataclass(frozen=True)
class Record:
    """An audit entry, by the agent (or, for a stranger, by the sender)."""

    action: str
    actor_id: int
    actor_name: str
    outcome: str = "ok"
    details: Mapping[str, object] = field(default_factory=dict)


PrivateAction = (
    Say | SendSecret | StartEnrollment | AcceptCode | CountWrongCode | DeleteMessage | Record
)
