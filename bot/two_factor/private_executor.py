"""Reads the facts of a private command and carries out its decision (private_decisions.py) in
the caller's transaction, through storage functions only; returns the Bot API calls."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlmodel import Session

from bot.outbound import Outbound, reply_calls
from bot.rendering import Renderer
from bot.two_factor import totp
from bot.two_factor.code_rules import FactorState, NewSecret
from bot.two_factor.policy import SecondFactor
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
from bot.two_factor.private_decisions import AgentFacts, PrivateCommand, PrivateView, decide
from bot.two_factor.qr_png import qr_png
from flows.actions import Reply
from storage import (
    Agent,
    accept_code,
    agent_by_telegram_id,
    audit,
    last_sent_to_chat,
    refuse_code,
    start_enrollment,
)

QR_FILENAME = "triagem-2fa.png"
# Outbox kind of the message carrying the secret: scrubbed once sent, deleted once confirmed.
SECRET = "qr"


class StoreFactorReader:
    """The decision's reader over the store and the key, for one agent in one chat."""

    def __init__(
        self, session: Session, factor: SecondFactor, agent: Agent | None, chat_id: int
    ) -> None:
        self.session = session
        self.factor = factor
        self.agent = agent
        self.chat_id = chat_id

    def check_code(self, typed: str, now: datetime) -> totp.CodeCheck | None:
        """The typed code against the agent's sealed secret (None: the key does not open it)."""
        return self.factor.check(self._agent(), typed, now)

    def new_secret(self) -> NewSecret | None:
        """A fresh secret sealed with the key (None, and the operator told, without a key)."""
        return self.factor.new_secret(self._agent())

    def secret_message(self) -> int | None:
        """The last message carrying a secret sent to this chat, if Telegram's id is known."""
        sent = last_sent_to_chat(self.session, chat_id=self.chat_id, kind=SECRET)
        return None if sent is None else sent.telegram_message_id

    def _agent(self) -> Agent:
        assert self.agent is not None, "only an agent's command asks the reader"
        return self.agent


class PrivateExecutor:
    """Builds the view of a private command, decides it and applies the actions."""

    def __init__(
        self, renderer: Renderer, factor: SecondFactor, clock: Callable[[], datetime]
    ) -> None:
        self.renderer = renderer
        self.factor = factor
        self.clock = clock

    def run(self, session: Session, command: PrivateCommand) -> list[Outbound]:
        """Decide the command on the store's facts and apply it; the calls to send."""
        agent = agent_by_telegram_id(session, telegram_user_id=command.sender_id)
        facts = None
        if agent is not None:
            facts = AgentFacts(agent.telegram_user_id, agent.display_name, FactorState.of(agent))
        now = self.clock()
        reader = StoreFactorReader(session, self.factor, agent, command.chat_id)
        view = PrivateView(command, facts, now, self.factor.rules, reader)
        return self.apply(session, agent, command.chat_id, now, decide(view))

    def apply(
        self,
        session: Session,
        agent: Agent | None,
        chat_id: int,
        now: datetime,
        actions: Sequence[PrivateAction],
    ) -> list[Outbound]:
        """Apply the actions in order; the Bot API calls they ask for, in the same order."""
        calls: list[Outbound] = []
        for action in actions:
            if isinstance(action, Say):
                calls += reply_calls(self.renderer, chat_id, Reply(action.template, action.params))
            elif isinstance(action, SendSecret):
                calls.append(self._secret_call(chat_id, action))
            elif isinstance(action, DeleteMessage):
                params = {"message_id": action.message_id}
                calls.append(Outbound(chat_id, "deleteMessage", params, "desk_reply"))
            elif isinstance(action, Record):
                audit(
                    session,
                    action=action.action,
                    now=now,
                    actor_telegram_id=action.actor_id,
                    actor_name=action.actor_name,
                    outcome=action.outcome,
                    details=action.details,
                )
            else:
                self._write(session, agent, action)
        return calls

    def _write(
        self,
        session: Session,
        agent: Agent | None,
        action: StartEnrollment | AcceptCode | CountWrongCode,
    ) -> None:
        assert agent is not None, "only an agent's second factor is written"
        if isinstance(action, StartEnrollment):
            start_enrollment(session, agent=agent, secret=action.sealed)
        elif isinstance(action, AcceptCode):
            accept_code(session, agent=agent, step=action.step, trusted_until=action.trusted_until)
        else:
            refuse_code(session, agent=agent, max_failures=action.max_failures)

    def _secret_call(self, chat_id: int, action: SendSecret) -> Outbound:
        caption = self.renderer.render(
            action.template, {"uri": action.uri, "secret": action.secret}
        )
        upload = {"upload": base64.b64encode(qr_png(action.uri)).decode(), "filename": QR_FILENAME}
        params = {
            "photo": upload,
            "caption": caption,
            "parse_mode": "HTML",
            "protect_content": True,
        }
        return Outbound(chat_id, "sendPhoto", params, SECRET)
