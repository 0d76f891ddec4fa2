"""The agent desk's entry points: new tickets, group updates, agents' private commands, and
the relay of users' messages. Everything is written in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.agents.cards import open_desk
from bot.agents.context import DeskServices
from bot.agents.executor import DeskExecutor
from bot.agents.group_turn import GroupTurn
from bot.agents.outbox_hooks import DeskOutbox
from bot.agents.private import PrivateCommands
from bot.agents.relay import Relay
from bot.agents.relocation import Relocation
from bot.agents.second_factor import SecondFactor
from bot.agents.secret_box import SecretBox
from bot.agents.settings import DeskSettings
from bot.agents.stored_secrets import seal_stored_secrets
from bot.agents.totp_key import TotpKey
from bot.agents.updates import group_button, group_message
from bot.outbound import Outbound
from bot.pushes import Pushes
from bot.rendering import Renderer
from flows.actions import RelayToTicket
from knowledge_base.models import KnowledgeBase
from storage import Ticket, User


class AgentDesk:
    """Tickets worked from Telegram groups: topics, cards, relay, commands, 2FA and audit."""

    def __init__(
        self,
        kb: KnowledgeBase,
        renderer: Renderer,
        settings: DeskSettings,
        pushes: Pushes,
        clock: Callable[[], datetime],
    ) -> None:
        box = SecretBox(TotpKey(settings.totp_key, settings.totp_key_file))
        factor = SecondFactor(
            clock,
            box=box,
            trusted_for=settings.trusted_for,
            max_failures=settings.max_failed_codes,
        )
        self.services = DeskServices(kb, renderer, settings, pushes, clock, factor)
        self.relay = Relay(self.services)
        executor = DeskExecutor(self.services, self.relay, Relocation(self.services))
        self.group = GroupTurn(self.services, self.relay, executor)
        self.private = PrivateCommands(self.services)
        self.outbox = DeskOutbox(self.services)

    def start(self, session: Session) -> None:
        """At the bot's start: seal agents' plain TOTP secrets, and check the key opens the rest."""
        seal_stored_secrets(session, self.services.factor.box)

    def on_ticket_opened(self, session: Session, ticket: Ticket) -> list[Outbound]:
        """A new ticket's topic and card in its offer's agents' chat (none without a desk)."""
        chat = self.services.settings.chat_for_offer(ticket.offer_id)
        return [] if chat is None else open_desk(self.services, session, ticket, chat)

    def relay_from_user(
        self, session: Session, user: User, action: RelayToTicket
    ) -> list[Outbound]:
        """The flows' RelayToTicket: the user's message to the ticket's thread."""
        return self.relay.from_user(session, user, action)

    def handle_private(self, session: Session, update: Mapping[str, Any]) -> list[Outbound] | None:
        """/2fa and /codigo in a private chat; None lets the user flows have the update."""
        return self.private.handle(session, update)

    def handle_update(self, session: Session, update: Mapping[str, Any]) -> list[Outbound]:
        """A group update (or a private edit); returns only a button's answer, queues the rest."""
        button = group_button(update)
        if button is not None:
            return self.group.button(session, button)
        message = group_message(update)
        if message is None or message.sender.is_bot or message.service:
            return []
        if message.chat_type == "private":
            if message.edited:
                self.relay.user_edit(session, message)
            return []
        if self.services.settings.is_agents_chat(message.chat_id):
            self.group.message(session, message)
        return []
