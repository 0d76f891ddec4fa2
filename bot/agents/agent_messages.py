"""Agents' messages in their group: replies relayed to the requester, notes, commands, edits."""

from __future__ import annotations

from sqlmodel import Session

from bot.agents.access import authorize
from bot.agents.command_table import CommandTable
from bot.agents.commands import TicketCommands
from bot.agents.context import DeskServices
from bot.agents.posting import Place, in_place
from bot.agents.relay import Relay
from bot.agents.updates import NOTE_COMMAND, GroupMessage
from storage import (
    Ticket,
    link_of_agent_message,
    normalize_code,
    ticket_by_card,
    ticket_by_code,
    ticket_by_topic,
)
from storage.audit import REFUSED
from storage.lifecycle import FINAL_STATUSES


class AgentMessages:
    """What an agent's message (or edit) in the agents' group does."""

    def __init__(
        self,
        services: DeskServices,
        relay: Relay,
        commands: TicketCommands,
        table: CommandTable,
    ) -> None:
        self.services = services
        self.relay = relay
        self.commands = commands
        self.table = table

    def handle(self, session: Session, message: GroupMessage) -> None:
        """Relay, note, run or follow an edit of a message in the agents' group."""
        ticket = ticket_at(session, message)
        place = Place(message.chat_id, message.thread_id, message.message_id)
        command = message.command
        if message.edited:
            self._edit(session, message, place)
            return
        if command is not None and command[0] != NOTE_COMMAND:
            self.table.command(session, message, place, ticket, *command)
            return
        note = message.note
        if ticket is None and command is not None:
            self._note_by_code(session, message, place, command[1])
            return
        if ticket is None:
            return  # talk among agents outside any ticket's thread
        action = "reply" if note is None else "note"
        act = authorize(self.services, session, message.sender, place, ticket, action)
        if act is None:
            return
        if note is not None:
            self.commands.note(act, note)
            return
        if ticket.status in FINAL_STATUSES:
            in_place(self.services, act, "desk/ticket_final", {"code": ticket.code})
            act.record("reply", REFUSED, reason="final", status=ticket.status)
            return
        self.commands.take_for_reply(act)
        if self.relay.from_agent(act, message):
            act.record("reply", media=message.media)

    def _note_by_code(
        self, session: Session, message: GroupMessage, place: Place, args: str
    ) -> None:
        """`/nota CODE texto` outside a ticket's thread: noted on that ticket, or told why not."""
        code, _, text = args.partition(" ")
        ticket = ticket_by_code(session, code=code) if normalize_code(code) else None
        act = authorize(self.services, session, message.sender, place, ticket, "note")
        if act is None:
            return
        if ticket is None:
            in_place(self.services, act, "desk/no_ticket", {"command": NOTE_COMMAND})
            act.record("note", REFUSED, reason="no_ticket", typed=code[:40])
            return
        self.commands.note(act, text)

    def _edit(self, session: Session, message: GroupMessage, place: Place) -> None:
        link = link_of_agent_message(
            session, chat_id=message.chat_id, message_id=message.message_id
        )
        if link is not None and link.direction == "out" and message.note is None:
            act = authorize(self.services, session, message.sender, place, None, "edit")
            if act is not None and self.relay.agent_edit(act, message):
                act.record("edit")


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
    return session.get(Ticket, link.ticket_id) if link is not None else None
