"""Messages between a requester and the agents: relayed both ways, edits followed, all recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlmodel import Session

from bot.agents.cards import CAPTION_LIMIT, file_call
from bot.agents.desk_services import (
    IN_PLACE,
    RELAY_IN,
    RELAY_OUT,
    THREAD,
    TO_USER,
    Act,
    DeskServices,
)
from bot.agents.group_updates import GroupMessage
from bot.agents.posting import in_place, queue, render_calls, requester
from bot.outbound import Outbound
from flows.actions import RelayToTicket, Reply
from flows.intake_fields import file_params
from storage import (
    OPEN_STATUSES,
    USER,
    EventKind,
    Status,
    Ticket,
    User,
    add_attachment,
    add_event,
    attachments_of,
    change_status,
    link_message,
    link_of_agent_message,
    link_of_user_message,
    ticket_by_code,
)
from storage.clocks import note_first_response
from storage.message_links import IN, OUT


class Relay:
    """Copies messages across, keeps the links between original and copy, writes the history."""

    def __init__(
        self,
        services: DeskServices,
        on_resumed: Callable[[Session, Ticket], None] | None = None,
    ) -> None:
        self.services = services
        # The ticket was waiting for the user and now is not (the resolution clock resumes).
        self.on_resumed = on_resumed

    def from_user(self, session: Session, user: User, action: RelayToTicket) -> list[Outbound]:
        """The user's message (text or file) to the ticket's thread; an error reply if closed."""
        ticket = ticket_by_code(session, code=action.code)
        if (
            ticket is None
            or ticket.requester_id != user.id
            or ticket.status not in OPEN_STATUSES
            or ticket.agent_chat_id is None
        ):
            reply = Reply("desk/relay_unavailable", {"code": action.code[:40]})
            return render_calls(self.services, user.chat_id, reply)
        now = self.services.clock()
        if ticket.status == Status.AGUARDANDO_USUARIO:
            # The user answered what the agent asked for.
            change_status(session, ticket=ticket, to=Status.EM_ATENDIMENTO, actor=USER, now=now)
            if self.on_resumed is not None:
                self.on_resumed(session, ticket)
        chat = ticket.agent_chat_id
        if action.attachment is not None:
            file = action.attachment
            add_attachment(session, ticket=ticket, attachment=file, now=now)
            assert ticket.id is not None
            number = len(attachments_of(session, ticket_id=ticket.id))
            caption = self.services.renderer.render(
                "desk/from_user_file", {"name": user.name, "file": file_params(file, number)}
            )
            add_event(
                session, ticket=ticket, kind=EventKind.MESSAGE, actor=USER, now=now, text=caption
            )
            call = file_call(chat, file.kind, file.file_id, caption, RELAY_IN)
            queue(session, replace(call, ticket_id=ticket.id), self.services)
            return []
        text = action.text or ""
        add_event(session, ticket=ticket, kind=EventKind.MESSAGE, actor=USER, now=now, text=text)
        rows = [
            queue(session, replace(call, kind=RELAY_IN, ticket_id=ticket.id), self.services)
            for call in self._from_user_calls(chat, user.name, text, edited=False)
        ]
        link_message(
            session,
            ticket=ticket,
            direction=IN,
            content="text",
            user_chat_id=user.chat_id,
            user_message_id=action.message_id,
            agent_chat_id=chat,
            outbox_id=rows[0].id,
            now=now,
        )
        return []

    def from_agent(self, act: Act, message: GroupMessage) -> bool:
        """An agent's message in the ticket's thread to its requester; False if unreachable."""
        ticket = act.ticket
        assert ticket is not None
        user = requester(act.session, ticket)
        if user is None:
            in_place(self.services, act, "desk/requester_gone", {"code": ticket.code})
            return False
        act.add_event(EventKind.MESSAGE, message.body)
        note_first_response(act.session, ticket=ticket, now=act.now)
        rows = [
            queue(act.session, call, self.services)
            for call in self._to_user_calls(act, ticket, user, message, edited=False)
        ]
        link_message(
            act.session,
            ticket=ticket,
            direction=OUT,
            content="text" if message.media is None else "media",
            user_chat_id=user.chat_id,
            agent_chat_id=act.chat_id,
            agent_message_id=message.message_id,
            outbox_id=rows[0].id,
            now=act.now,
        )
        return True

    def user_edit(self, session: Session, message: GroupMessage) -> None:
        """The user edited a relayed message: edit the agents' copy, keep both in the history."""
        link = link_of_user_message(session, chat_id=message.chat_id, message_id=message.message_id)
        if link is None or link.direction != IN:
            return
        ticket = session.get(Ticket, link.ticket_id)
        if ticket is None or ticket.agent_chat_id is None:
            return
        now = self.services.clock()
        text = message.body
        add_event(session, ticket=ticket, kind=EventKind.EDIT, actor=USER, now=now, text=text)
        name = message.sender.name
        [first, *_] = self._from_user_calls(link.agent_chat_id, name, text, edited=True)
        if link.agent_message_id is not None and link.agent_chat_id == ticket.agent_chat_id:
            params = {**first.params, "message_id": link.agent_message_id}
            call = Outbound(link.agent_chat_id, "editMessageText", params, IN_PLACE, ticket.id)
            queue(session, call, self.services)
            return
        # The copy is not there (not sent yet, or the ticket moved): say it as a new message.
        queue(session, replace(first, kind=THREAD, ticket_id=ticket.id), self.services)

    def agent_edit(self, act: Act, message: GroupMessage) -> bool:
        """An agent edited a relayed message: edit the user's copy, keep both in the history."""
        link = link_of_agent_message(
            act.session, chat_id=act.chat_id, message_id=message.message_id
        )
        ticket = act.session.get(Ticket, link.ticket_id) if link else None
        if link is None or link.direction != OUT or ticket is None:
            return False
        act.ticket = ticket
        user = requester(act.session, ticket)
        if user is None:
            return False
        act.add_event(EventKind.EDIT, message.body)
        [first, *_] = self._to_user_calls(act, ticket, user, message, edited=True)
        if link.user_message_id is None:
            queue(act.session, first, self.services)
            return True
        if first.method == "copyMessage":
            params = {k: first.params[k] for k in ("caption", "parse_mode")}
            method = "editMessageCaption"
        else:
            params = {k: v for k, v in first.params.items() if k != "reply_markup"}
            method = "editMessageText"
        params["message_id"] = link.user_message_id
        queue(
            act.session, Outbound(user.chat_id, method, params, TO_USER, ticket.id), self.services
        )
        return True

    def _from_user_calls(
        self, chat_id: int, name: str, text: str, *, edited: bool
    ) -> list[Outbound]:
        params = {"name": name, "text": text, "edited": edited}
        return render_calls(self.services, chat_id, Reply("desk/from_user", params))

    def _to_user_calls(
        self, act: Act, ticket: Ticket, user: User, message: GroupMessage, *, edited: bool
    ) -> list[Outbound]:
        signature = None if self.services.settings.anonymous_replies else act.agent.display_name
        params = {"signature": signature, "code": ticket.code, "edited": edited}
        if message.media is None:
            reply = Reply("desk/to_user", {**params, "text": message.body})
            calls = render_calls(self.services, user.chat_id, reply)
            return [replace(call, kind=RELAY_OUT, ticket_id=ticket.id) for call in calls]
        caption = self.services.renderer.render(
            "desk/to_user_caption", {**params, "text": message.caption or ""}
        )
        copy = {
            "from_chat_id": act.chat_id,
            "message_id": message.message_id,
            "caption": caption[:CAPTION_LIMIT],
            "parse_mode": "HTML",
        }
        return [Outbound(user.chat_id, "copyMessage", copy, RELAY_OUT, ticket.id)]
