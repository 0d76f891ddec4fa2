"""Agents' private chat with the bot, decided as pure functions: /2fa enrolls (a QR code and the
secret), /codigo 123456 confirms the enrollment or renews the trust. A view in, actions out;
no database, no Telegram, no clock (the time comes in the view)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.two_factor import totp
from bot.two_factor.code_rules import FactorState, NewSecret, Rules, before_check, judge
from bot.two_factor.private_actions import (
    AcceptCode,
    CountWrongCode,
    DeleteMessage,
    PrivateAction,
    Record,
    Say,
    SendSecret,
    StartEnrollment,
)
from storage.audit import REFUSED

ENROLL = "2fa"
CODE = "codigo"
COMMANDS = frozenset({ENROLL, CODE})


@dataclass(frozen=True)
class PrivateCommand:
    """/2fa or /codigo typed in a private chat: the command's name, its argument and who sent
    it where."""

    name: str
    args: str
    sender_id: int
    sender_name: str
    chat_id: int


@dataclass(frozen=True)
class AgentFacts:
    """The registered agent who sent the command (a snapshot; never their secret)."""

    telegram_user_id: int
    name: str
    factor: FactorState


class FactorReader(Protocol):
    """What a decision may ask of the second factor beyond the facts (the store and the key, or
    a fake in unit tests); asked only when the decision needs the answer."""

    def check_code(self, typed: str, now: datetime) -> totp.CodeCheck | None:
        """The typed code against the agent's secret at `now` (None: the key does not open it)."""
        ...

    def new_secret(self) -> NewSecret | None:
        """A fresh secret and its sealed form (None: there is no key to seal it with)."""
        ...

    def secret_message(self) -> int | None:
        """Telegram's id of the last message carrying a secret sent to this chat, if any."""
        ...


@dataclass(frozen=True)
class PrivateView:
    """Everything a decision reads: the command, the agent (None: not an agent), the time, the
    second factor's rules and the reader."""

    command: PrivateCommand
    agent: AgentFacts | None
    now: datetime
    rules: Rules
    reader: FactorReader


def decide(view: PrivateView) -> list[PrivateAction]:
    """The actions for a private command."""
    command, agent = view.command, view.agent
    if agent is None:
        return [
            Record(
                command.name,
                command.sender_id,
                command.sender_name,
                REFUSED,
                {"reason": "not_agent"},
            ),
            Say("desk/private_not_agent"),
        ]
    if command.name == ENROLL:
        return enroll(view, agent)
    return confirm_code(view, agent)


def enroll(view: PrivateView, agent: AgentFacts) -> list[PrivateAction]:
    """/2fa: a new secret as a QR code, while the enrollment is unconfirmed."""
    state = agent.factor
    if state.locked or state.confirmed:
        # A confirmed secret is shown once; a new one needs a supervisor's reset.
        reason, template = (
            ("locked", "desk/locked") if state.locked else ("enrolled", "desk/2fa_already")
        )
        return [_refused(agent, "2fa_enroll", reason=reason), Say(template)]
    fresh = view.reader.new_secret()
    if fresh is None:
        return [_refused(agent, "2fa_enroll", reason="no_key"), Say("desk/code_unavailable")]
    uri = totp.provisioning_uri(fresh.plain, agent.name or str(agent.telegram_user_id))
    return [
        StartEnrollment(fresh.sealed),
        Record("2fa_enroll", agent.telegram_user_id, agent.name),
        SendSecret("desk/2fa_enroll", uri, fresh.plain),
    ]


def confirm_code(view: PrivateView, agent: AgentFacts) -> list[PrivateAction]:
    """/codigo 123456: confirms the enrollment or renews the trust; wrong codes count."""
    typed = view.command.args
    if not typed.strip():
        return [Say("desk/code_usage")]
    state = agent.factor
    result = before_check(state)
    if result is None:
        result = judge(state, view.reader.check_code(typed, view.now), view.now, view.rules)
    actions: list[PrivateAction] = []
    if result.step is not None and result.trusted_until is not None:
        actions.append(AcceptCode(result.step, result.trusted_until))
    elif result.counted:
        actions.append(CountWrongCode(view.rules.max_failures))
    ok = result.outcome in ("accepted", "confirmed")
    actions += [
        Record(
            "2fa_code",
            agent.telegram_user_id,
            agent.name,
            "ok" if ok else REFUSED,
            {"result": result.outcome},
        ),
        Say(f"desk/code_{result.outcome}", {"until": result.trusted_until, "left": result.left}),
    ]
    if result.outcome == "confirmed":
        # The QR code and secret leave the chat once the app has them.
        message_id = view.reader.secret_message()
        if message_id is not None:
            actions.append(DeleteMessage(message_id))
    return actions


def _refused(agent: AgentFacts, action: str, *, reason: str) -> Record:
    return Record(action, agent.telegram_user_id, agent.name, REFUSED, {"reason": reason})
