"""The agent desk's entry points: new tickets, group updates, agents' private commands, and
the relay of users' messages. Everything is written in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlmodel import Session

from bot.agents.cards import open_desk
from bot.agents.commands import TicketCommands
from bot.agents.context import Act, DeskServices
from bot.agents.lookups import Lookups
from bot.agents.moves import Moves
from bot.agents.outbox_hooks import DeskOutbox
from bot.agents.posting import Place, in_place, reply_at
from bot.agents.private import PrivateCommands
from bot.agents.relay import Relay
from bot.agents.second_factor import SecondFactor
from bot.agents.settings import DeskSettings
from bot.agents.updates import (
    NOTE_COMMAND,
    GroupButton,
    GroupMessage,
    Person,
    group_button,
    group_message,
)
from bot.outbound import Outbound
from bot.pushes import Pushes
from bot.rendering import Renderer
from flows.actions import RelayToTicket
from knowledge_base.models import KnowledgeBase
from storage import (
    Status,
    Ticket,
    User,
    agent_by_telegram_id,
    audit,
    link_of_agent_message,
    normalize_code,
    ticket_by_card,
    ticket_by_code,
    ticket_by_topic,
)
from storage.audit import REFUSED

# Telegram shows at most 200 characters in a button press's answer.
ALERT_LIMIT = 200
TICKET_COMMANDS = frozenset(
    {"assumir", "resolver", "fechar", "reabrir", "transferir", "escalar", "prioridade", "artigo"}
)
DESK_COMMANDS = frozenset({"fila", "buscar", "chamado", "auditoria", "desbloquear", "ajuda"})
BUTTONS = {"take": "assumir", "res": "resolver", "tr": "transferir", "esc": "escalar"}
FINAL = frozenset({Status.FECHADO.value, Status.CANCELADO.value})


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
        factor = SecondFactor(
            clock, trusted_for=settings.trusted_for, max_failures=settings.max_failed_codes
        )
        self.services = DeskServices(kb, renderer, settings, pushes, clock, factor)
        self.relay = Relay(self.services)
        self.commands = TicketCommands(self.services, self.relay)
        self.moves = Moves(self.services, self.commands)
        self.lookups = Lookups(self.services)
        self.private = PrivateCommands(self.services)
        self.outbox = DeskOutbox(self.services)

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
            return self._button(session, button)
        message = group_message(update)
        if message is None or message.sender.is_bot or message.service:
            return []
        if message.chat_type == "private":
            if message.edited:
                self.relay.user_edit(session, message)
            return []
        if self.services.settings.is_agents_chat(message.chat_id):
            self._message(session, message)
        return []

    def _message(self, session: Session, message: GroupMessage) -> None:
        ticket = self._ticket_at(session, message)
        place = Place(message.chat_id, message.thread_id, message.message_id)
        command = message.command
        if message.edited:
            link = link_of_agent_message(
                session, chat_id=message.chat_id, message_id=message.message_id
            )
            if link is not None and link.direction == "out" and message.note is None:
                act = self._authorize(session, message.sender, place, None, "edit")
                if act is not None and self.relay.agent_edit(act, message):
                    self.commands.record(act, "edit")
            return
        if command is not None and command[0] != NOTE_COMMAND:
            self._command(session, message, place, ticket, *command)
            return
        if ticket is None:
            return  # talk among agents outside any ticket's thread
        note = message.note
        act = self._authorize(session, message.sender, place, ticket, "note" if note else "reply")
        if act is None:
            return
        if note is not None:
            self.commands.note(act, note)
            return
        if ticket.status in FINAL:
            in_place(self.services, act, "desk/ticket_final", {"code": ticket.code})
            self.commands.record(act, "reply", REFUSED, reason="final", status=ticket.status)
            return
        self.commands.take_for_reply(act)
        if self.relay.from_agent(act, message):
            self.commands.record(act, "reply", media=message.media)

    def _command(
        self,
        session: Session,
        message: GroupMessage,
        place: Place,
        ticket: Ticket | None,
        name: str,
        args: str,
    ) -> None:
        if name not in TICKET_COMMANDS | DESK_COMMANDS:
            if "@" not in (message.text or "").split(" ", 1)[0]:
                reply_at(self.services, session, place, "desk/unknown_command", {"command": name})
            return
        if name in TICKET_COMMANDS and ticket is None:
            # Outside a ticket's thread the code comes first: /assumir EPR-7K3Q9
            code, _, rest = args.partition(" ")
            ticket = ticket_by_code(session, code=code) if normalize_code(code) else None
            args = rest
        act = self._authorize(session, message.sender, place, ticket, name)
        if act is None:
            return
        if name in TICKET_COMMANDS and ticket is None:
            in_place(self.services, act, "desk/no_ticket", {"command": name})
            return
        self._run(act, name, args)

    def _run(self, act: Act, name: str, args: str) -> None:
        commands, moves, lookups = self.commands, self.moves, self.lookups
        simple: dict[str, Callable[[Act], None]] = {
            "assumir": commands.take,
            "fechar": commands.close,
            "reabrir": commands.reopen,
            "escalar": moves.escalate,
            "fila": lookups.queues,
            "ajuda": lambda a: in_place(self.services, a, "desk/help", {}),
        }
        with_args: dict[str, Callable[[Act, str], None]] = {
            "resolver": commands.resolve,
            "prioridade": commands.priority,
            "artigo": commands.article,
            "transferir": lambda a, s: moves.transfer(a, s) if s.strip() else moves.ask_offer(a),
            "buscar": lookups.search,
            "chamado": lookups.show,
            "auditoria": lookups.audit_log,
            "desbloquear": lookups.unlock,
        }
        if name in simple:
            simple[name](act)
        else:
            with_args[name](act, args)

    def _button(self, session: Session, button: GroupButton) -> list[Outbound]:
        parts = button.data.split(":")
        answer: dict[str, Any] = {"callback_query_id": button.query_id}
        reply = [Outbound(button.sender.id, "answerCallbackQuery", answer, "callback")]
        if (
            len(parts) < 3
            or parts[0] != "d"
            or not self.services.settings.is_agents_chat(button.chat_id)
        ):
            return reply
        ticket = ticket_by_code(session, code=parts[2])
        place = Place(button.chat_id, button.thread_id, None, ticket.id if ticket else None)
        name = "transferir" if parts[1] == "to" else BUTTONS.get(parts[1], "")
        act = self._authorize(session, button.sender, place, ticket, name or "button", alert=answer)
        if act is None or ticket is None or not name:
            return reply
        if parts[1] == "to" and len(parts) == 4:
            self.moves.transfer(act, parts[3])
        elif name in ("transferir",):
            self.moves.ask_offer(act)
        else:
            self._run(act, name, "")
        return reply

    def _authorize(
        self,
        session: Session,
        sender: Person,
        place: Place,
        ticket: Ticket | None,
        action: str,
        alert: dict[str, Any] | None = None,
    ) -> Act | None:
        """The agent's Act, or None after a polite refusal (audited)."""
        agent = agent_by_telegram_id(session, telegram_user_id=sender.id)
        verdict = "not_agent" if agent is None else self.services.factor.verdict(agent)
        if agent is not None and verdict == "ok":
            return Act(
                session,
                agent,
                place.chat_id,
                place.thread_id,
                place.message_id,
                ticket,
                self.services.clock(),
            )
        audit(
            session,
            action=action,
            now=self.services.clock(),
            actor_telegram_id=sender.id,
            actor_name=agent.display_name if agent else sender.name,
            ticket=ticket,
            outcome=REFUSED,
            details={"reason": verdict},
        )
        template, params = f"desk/refused_{verdict}", {"name": sender.name}
        if alert is not None:
            text = Markup(self.services.renderer.render(template, params)).striptags()
            alert.update(text=text[:ALERT_LIMIT], show_alert=True)
        else:
            reply_at(self.services, session, place, template, params)
        return None

    def _ticket_at(self, session: Session, message: GroupMessage) -> Ticket | None:
        """The ticket whose thread a group message is in (topic, or a reply to its card)."""
        chat = message.chat_id
        if message.thread_id is not None:
            return ticket_by_topic(session, chat_id=chat, thread_id=message.thread_id)
        if message.reply_to_id is None:
            return None
        ticket = ticket_by_card(session, chat_id=chat, message_id=message.reply_to_id)
        if ticket is not None:
            return ticket
        link = link_of_agent_message(session, chat_id=chat, message_id=message.reply_to_id)
        return session.get(Ticket, link.ticket_id) if link is not None else None
