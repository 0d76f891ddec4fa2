"""The agent desk's entry points: new tickets, group updates, agents' private commands, and
the relay of users' messages. Everything is written in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from sqlmodel import Session

from bot.agents.cards import open_desk
from bot.agents.commands import menu
from bot.agents.decisions import relay as relay_decisions
from bot.agents.desk_services import Act, DeskServices
from bot.agents.group_turn import GroupTurn
from bot.agents.group_updates import GroupButton, GroupMessage, group_button, group_message
from bot.agents.outbox_hooks import DeskOutbox
from bot.agents.relay_executor import RelayExecutor, Side
from bot.agents.relay_reader import files_of, link_facts, snapshot, user_edit, user_facts
from bot.outbound import Outbound
from bot.two_factor.enrollment_chat import PrivateCommands
from bot.two_factor.stored_secrets import seal_stored_secrets
from flows.actions import RelayToTicket
from storage import USER, Ticket, User, link_of_user_message, ticket_by_code, ticket_of_link


class LiveQueueHooks(Protocol):
    """What the agent desk hands to the Balcão Virtual's queues (bot/live_queue)."""

    def group_button(self, session: Session, pressed: GroupButton) -> list[Outbound] | None:
        """A queue button's answer (None: not a queue button)."""
        ...

    def serves(self, chat_id: int) -> bool:
        """Whether attendants of Balcão Virtual offices work in the chat."""
        ...

    def attend(self, act: Act, command: str, args: str) -> None:
        """Run /proximo or /encerrar (rows of the command table) for an authorized attendant."""
        ...


class TicketThreads:
    """What the user side needs of the desk: a new ticket's topic and card, and the relay of
    the user's messages to it."""

    def __init__(
        self,
        services: DeskServices,
        relay: RelayExecutor,
        on_opened: Callable[[Session, Ticket], None] | None = None,
    ) -> None:
        self.services = services
        self.relay = relay
        # Told of every new ticket first (its resolution clock starts), in the same transaction.
        self.on_opened = on_opened

    def on_ticket_opened(self, session: Session, ticket: Ticket) -> list[Outbound]:
        """A new ticket's topic and card in its offer's agents' chat (none without a desk)."""
        if self.on_opened is not None:
            self.on_opened(session, ticket)
        chat = self.services.settings.chat_for_offer(ticket.offer_id)
        return [] if chat is None else open_desk(self.services, session, ticket, chat)

    def relay_from_user(
        self, session: Session, user: User, action: RelayToTicket
    ) -> list[Outbound]:
        """The flows' RelayToTicket: the user's message to the ticket's thread."""
        ticket = ticket_by_code(session, code=action.code)
        facts = snapshot(session, ticket)
        actions = relay_decisions.from_user(
            facts, user_facts(user), action, files_of(session, ticket)
        )
        return self.relay.apply(Side(session, ticket, USER, self.services.clock()), actions)

    def user_edit(self, session: Session, message: GroupMessage) -> None:
        """The user edited a message in their chat: a relayed one's copy follows."""
        link = link_of_user_message(session, chat_id=message.chat_id, message_id=message.message_id)
        ticket = ticket_of_link(session, link=link) if link is not None else None
        actions = relay_decisions.user_edit(
            link_facts(link), snapshot(session, ticket), user_edit(message)
        )
        if actions:
            self.relay.apply(Side(session, ticket, USER, self.services.clock()), actions)


class AgentDesk:
    """Tickets worked from Telegram groups: commands, relay, 2FA, audit and the outbox hooks."""

    def __init__(
        self,
        services: DeskServices,
        threads: TicketThreads,
        group: GroupTurn,
        private: PrivateCommands,
        *,
        live_queue: LiveQueueHooks | None = None,
    ) -> None:
        self.services = services
        self.threads = threads
        self.group = group
        self.private = private
        self.outbox = DeskOutbox(services)
        # The Balcão Virtual's attendants' commands and card button (bot/live_queue), if wired.
        self.live_queue = live_queue

    def start(self, session: Session) -> None:
        """At the bot's start: seal agents' plain TOTP secrets, and check the key opens the rest."""
        seal_stored_secrets(session, self.services.factor.box)

    def on_ticket_opened(self, session: Session, ticket: Ticket) -> list[Outbound]:
        """A new ticket's topic and card (see TicketThreads)."""
        return self.threads.on_ticket_opened(session, ticket)

    def command_menus(self) -> list[dict[str, Any]]:
        """setMyCommands params: the command table as the menu of each agents' chat."""
        settings = self.services.settings
        chats = {settings.agent_chat_id, settings.level2_chat_id}
        chats |= set(settings.offer_chat_ids.values()) | set(settings.escalation_chat_ids.values())
        help_lines = self.services.renderer.env.get_template("desk/command_help.j2").module
        commands = [
            {"command": name, "description": str(getattr(help_lines, name)())[:256]}
            for name, _ in menu()
        ]
        return [
            {"commands": commands, "scope": {"type": "chat", "chat_id": chat}}
            for chat in sorted(c for c in chats if c is not None)
        ]

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
            return self.group.button(session, button)
        message = group_message(update)
        if message is None or message.sender.is_bot or message.service:
            return []
        if message.chat_type == "private":
            if message.edited:
                self.threads.user_edit(session, message)
            return []
        served = self.live_queue is not None and self.live_queue.serves(message.chat_id)
        if served or self.services.settings.is_agents_chat(message.chat_id):
            self.group.message(session, message)
        return []
