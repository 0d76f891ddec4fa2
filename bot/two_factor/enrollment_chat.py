"""Agents' private chat with the bot: TOTP enrollment (/2fa) and codes (/codigo 123456)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.outbound import Outbound, reply_calls
from bot.rendering import Renderer
from bot.two_factor import totp
from bot.two_factor.policy import SecondFactor
from bot.two_factor.qr_png import qr_png
from flows.actions import Reply
from storage import Agent, agent_by_telegram_id, audit, last_sent_to_chat
from storage.audit import REFUSED

ENROLL = "2fa"
CODE = "codigo"
COMMANDS = frozenset({ENROLL, CODE})
QR_FILENAME = "triagem-2fa.png"
# Outbox kind of the message carrying the secret: scrubbed once sent, deleted once confirmed.
SECRET = "qr"


class PrivateCommands:
    """Runs before the user flows for /2fa and /codigo; everything else is the user's."""

    def __init__(
        self, renderer: Renderer, factor: SecondFactor, clock: Callable[[], datetime]
    ) -> None:
        self.renderer = renderer
        self.factor = factor
        self.clock = clock

    def handle(self, session: Session, update: Mapping[str, Any]) -> list[Outbound] | None:
        """Calls for an agent command in a private chat; None when it is not one."""
        message = update.get("message")
        if not isinstance(message, Mapping) or not isinstance(message.get("text"), str):
            return None
        text: str = message["text"].strip()
        if not text.startswith("/"):
            return None
        head, _, args = text[1:].partition(" ")
        name = head.split("@", 1)[0].lower()
        if name not in COMMANDS or not isinstance(message.get("from"), Mapping):
            return None
        sender = message["from"]
        sender_id = int(sender["id"])
        names = (sender.get("first_name"), sender.get("last_name"))
        sender_name = " ".join(p for p in names if p) or str(sender_id)
        chat_id = int(message["chat"]["id"])
        agent = agent_by_telegram_id(session, telegram_user_id=sender_id)
        if agent is None:
            self._record(
                session, sender_id, sender_name or str(sender_id), name, REFUSED, reason="not_agent"
            )
            return self._say(chat_id, "desk/private_not_agent", {})
        if name == ENROLL:
            return self._enroll(session, agent, chat_id)
        return self._code(session, agent, chat_id, args)

    def _enroll(self, session: Session, agent: Agent, chat_id: int) -> list[Outbound]:
        if agent.locked or agent.totp_confirmed:
            # A confirmed secret is shown once; a new one needs a supervisor's reset.
            reason, template = (
                ("locked", "desk/locked") if agent.locked else ("enrolled", "desk/2fa_already")
            )
            name = agent.display_name
            self._record(
                session, agent.telegram_user_id, name, "2fa_enroll", REFUSED, reason=reason
            )
            return self._say(chat_id, template, {})
        secret = self.factor.enroll(session, agent)
        if secret is None:
            name = agent.display_name
            self._record(
                session, agent.telegram_user_id, name, "2fa_enroll", REFUSED, reason="no_key"
            )
            return self._say(chat_id, "desk/code_unavailable", {})
        uri = totp.provisioning_uri(secret, agent.display_name or str(agent.telegram_user_id))
        caption = self.renderer.render("desk/2fa_enroll", {"uri": uri, "secret": secret})
        upload = {"upload": base64.b64encode(qr_png(uri)).decode(), "filename": QR_FILENAME}
        params = {
            "photo": upload,
            "caption": caption,
            "parse_mode": "HTML",
            "protect_content": True,
        }
        self._record(session, agent.telegram_user_id, agent.display_name, "2fa_enroll")
        return [Outbound(chat_id, "sendPhoto", params, SECRET)]

    def _code(self, session: Session, agent: Agent, chat_id: int, typed: str) -> list[Outbound]:
        if not typed.strip():
            return self._say(chat_id, "desk/code_usage", {})
        result = self.factor.submit(session, agent, typed)
        ok = result.outcome in ("accepted", "confirmed")
        self._record(
            session,
            agent.telegram_user_id,
            agent.display_name,
            "2fa_code",
            "ok" if ok else REFUSED,
            result=result.outcome,
        )
        params = {"until": result.trusted_until, "left": result.left}
        calls = self._say(chat_id, f"desk/code_{result.outcome}", params)
        if result.outcome == "confirmed":
            # The QR code and secret leave the chat once the app has them.
            calls += self._forget_secret_message(session, chat_id)
        return calls

    def _forget_secret_message(self, session: Session, chat_id: int) -> list[Outbound]:
        sent = last_sent_to_chat(session, chat_id=chat_id, kind=SECRET)
        if sent is None or sent.telegram_message_id is None:
            return []
        params = {"message_id": sent.telegram_message_id}
        return [Outbound(chat_id, "deleteMessage", params, "desk_reply")]

    def _say(self, chat_id: int, template: str, params: Mapping[str, object]) -> list[Outbound]:
        return reply_calls(self.renderer, chat_id, Reply(template, params))

    def _record(
        self,
        session: Session,
        actor: int,
        name: str,
        action: str,
        outcome: str = "ok",
        **details: object,
    ) -> None:
        audit(
            session,
            action=action,
            now=self.clock(),
            actor_telegram_id=actor,
            actor_name=name,
            outcome=outcome,
            details=details,
        )
