"""One update in the agents' group: find the ticket, check who acts, decide, then apply.

Decisions are pure (bot/agents/decisions/, over a DeskView); this module reads what they need
and hands their actions to the executor, all in the turn's transaction.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.agents.access import authorize
from bot.agents.commands import BY_BUTTON, BY_NAME, TRANSFER_TO, AgentCommand, may_run
from bot.agents.decisions import relay as relay_decisions
from bot.agents.decisions import ticket_work
from bot.agents.decisions.card_press import press
from bot.agents.desk_actions import DeskAction, Record, Say
from bot.agents.desk_services import Act, DeskServices
from bot.agents.executor import DeskExecutor
from bot.agents.group_updates import GroupButton, GroupMessage
from bot.agents.posting import Place, reply_at
from bot.agents.relay_reader import agent_message, link_facts, requester_of
from bot.agents.store_reader import desk_view
from bot.outbound import Outbound
from storage import (
    Ticket,
    link_of_agent_message,
    normalize_code,
    ticket_by_card,
    ticket_by_code,
    ticket_by_topic,
    ticket_of_link,
)
from storage.audit import REFUSED
from storage.message_links import OUT


class GroupTurn:
    """What a message, an edit or a button press in the agents' group does."""

    def __init__(self, services: DeskServices, executor: DeskExecutor) -> None:
        self.services = services
        self.executor = executor

    def message(self, session: Session, message: GroupMessage) -> None:
        """Relay, note, run a command, or follow an edit."""
        ticket = ticket_at(session, message)
        place = Place(message.chat_id, message.thread_id, message.message_id)
        if message.edited:
            self._edit(session, message, place)
            return
        if message.command is not None:
            self.command(session, message, place, ticket, *message.command)
            return
        if ticket is None:
            return  # talk among agents outside any ticket's thread
        note = message.note
        act = authorize(
            self.services,
            session,
            message.sender,
            place,
            ticket,
            "reply" if note is None else "note",
        )
        if act is None:
            return
        view = desk_view(self.services, act)
        actions = ticket_work.reply(view) if note is None else ticket_work.note(view, note)
        self.executor.apply(act, actions, message=message)

    def command(
        self,
        session: Session,
        message: GroupMessage,
        place: Place,
        ticket: Ticket | None,
        name: str,
        args: str,
    ) -> None:
        """A /command typed in the group; `ticket` is that of the thread it was typed in."""
        command = BY_NAME.get(name)
        if command is None:
            if "@" not in (message.text or "").split(" ", 1)[0]:
                reply_at(self.services, session, place, "desk/unknown_command", {"command": name})
            return
        if command.needs_ticket and ticket is None:
            # Outside a ticket's thread the code comes first: /assumir EPR-7K3Q9
            code, _, args = args.partition(" ")
            ticket = ticket_by_code(session, code=code) if normalize_code(code) else None
        act = authorize(self.services, session, message.sender, place, ticket, command.action)
        if act is not None:
            self.executor.apply(act, self._decide(act, command, args))

    def button(self, session: Session, button: GroupButton) -> list[Outbound]:
        """A card's button: the press is answered, and its command runs on the card's ticket."""
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
        to_offer = parts[1] == TRANSFER_TO and len(parts) == 4
        command = BY_NAME["transferir"] if to_offer else BY_BUTTON.get(parts[1])
        name = command.name if command else "button"
        act = authorize(self.services, session, button.sender, place, ticket, name, alert=answer)
        if act is None or ticket is None or command is None or command.button is None:
            return reply
        args = parts[3] if to_offer else ""
        if not may_run(command, act.agent.role):
            actions = self._decide(act, command, args)
        else:
            view = desk_view(self.services, act)
            actions = press(command.name, command.handler, command.button.valid_in, view, args)
        self.executor.apply(act, actions, alert=answer)
        return reply

    def _decide(self, act: Act, command: AgentCommand, args: str) -> list[DeskAction]:
        """The command's actions, or why it is refused (role, no ticket)."""
        if not may_run(command, act.agent.role):
            return [Say("desk/supervisors_only"), Record(command.name, REFUSED, {"reason": "role"})]
        if command.needs_ticket and act.ticket is None:
            return [
                Say("desk/no_ticket", {"command": command.name}),
                Record(command.name, REFUSED, {"reason": "no_ticket"}),
            ]
        return command.handler(desk_view(self.services, act), args)

    def _edit(self, session: Session, message: GroupMessage, place: Place) -> None:
        """An agent edited a message relayed to the requester: their copy follows."""
        link = link_of_agent_message(
            session, chat_id=message.chat_id, message_id=message.message_id
        )
        if link is None or link.direction != OUT or message.note is not None:
            return
        act = authorize(self.services, session, message.sender, place, None, "edit")
        if act is None:
            return
        act.ticket = ticket_of_link(session, link=link)
        requester = requester_of(session, act.ticket)
        view = desk_view(self.services, act)
        actions = relay_decisions.agent_edit(
            view, link_facts(link), requester, agent_message(message)
        )
        self.executor.apply(act, actions)


def ticket_at(session: Session, message: GroupMessage) -> Ticket | None:
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
    return ticket_of_link(session, link=link) if link is not None else None
