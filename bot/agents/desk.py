"""The agent desk's entry points: new tickets, group updates, agents' private commands, and
the relay of users' messages. Everything is written in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session

from bot.agents.agent_messages import AgentMessages
from bot.agents.cards import open_desk
from bot.agents.command_table import CommandTable
from bot.agents.commands import TicketCommands
from bot.agents.context import DeskServices
from bot.agents.lookups import Lookups
from bot.agents.moves import Moves
from bot.agents.outbox_hooks import DeskOutbox
from bot.agents.private import PrivateCommands
from bot.agents.relay import Relay
from bot.agents.second_factor import SecondFactor
from bot.agents.secret_box import SecretBox
from bot.agents.settings import DeskSettings
from bot.agents.stored_secrets import seal_stored_secrets
from bot.agents.totp_key import TotpKey
from bot.agents.updates import GroupButton, GroupMessage, group_button, group_message
from bot.outbound import Outbound
from bot.pushes import Pushes
from bot.rendering import Renderer
from flows.actions import RelayToTicket
from knowledge_base.models import KnowledgeBase
from storage import Ticket, User


class LiveQueueHooks(Protocol):
    """What the agent desk hands to the Balcão Virtual's queues (bot/live_queue)."""

    def group_button(self, session: Session, pressed: GroupButton) -> list[Outbound] | None:
        """A queue button's answer (None: not a queue button)."""
        ...

    def group_command(self, session: Session, message: GroupMessage) -> bool:
        """Whether the message was a queue command, now handled."""
        ...

    def after_group_message(self, session: Session, message: GroupMessage) -> None:
        """What the queues add once the desk handled a group message (/fila's offices)."""
        ...


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
        self.commands = TicketCommands(self.services, self.relay)
        self.moves = Moves(self.services, self.commands)
        self.lookups = Lookups(self.services)
        self.private = PrivateCommands(self.services)
        self.outbox = DeskOutbox(self.services)
        self.table = CommandTable(self.services, self.commands, self.moves, self.lookups)
        self.messages = AgentMessages(self.services, self.relay, self.commands, self.table)
        # The Balcão Virtual's attendants' commands and card button (bot/live_queue), if wired.
        self.live_queue: LiveQueueHooks | None = None

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
            if self.live_queue is not None:
                answered = self.live_queue.group_button(session, button)
                if answered is not None:
                    return answered
            return self.table.button(session, button)
        message = group_message(update)
        if message is None or message.sender.is_bot or message.service:
            return []
        if message.chat_type == "private":
            if message.edited:
                self.relay.user_edit(session, message)
            return []
        if self.live_queue is not None and self.live_queue.group_command(session, message):
            return []
        if self.services.settings.is_agents_chat(message.chat_id):
            self.messages.handle(session, message)
        if self.live_queue is not None:
            self.live_queue.after_group_message(session, message)
        return []
