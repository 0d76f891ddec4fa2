"""Carries out the relay's actions (bot/agents/decisions/relay.py) in the caller's transaction:
copies queued in the outbox, the links between original and copy kept, the history written."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from bot.agents.cards import CAPTION_LIMIT, file_call
from bot.agents.desk_actions import (
    AddRenderedToHistory,
    AddToHistory,
    EditRequesterCopy,
    EditThreadCopy,
    KeepFile,
    NoteFirstResponse,
    RelayAction,
    RelayFileToThread,
    RelayToRequester,
    RelayToThread,
    ReplyToUser,
    ResumeAttendance,
)
from bot.agents.desk_services import IN_PLACE, RELAY_IN, RELAY_OUT, THREAD, TO_USER, DeskServices
from bot.agents.posting import queue, render_calls
from bot.outbound import Outbound
from flows.actions import Reply
from storage import Status, Ticket, add_attachment, add_event, change_status, link_message
from storage.clock_records import note_first_response
from storage.message_links import IN, OUT


@dataclass(frozen=True)
class Side:
    """Who relays (the history's actor: an agent, or the user), on which ticket, and when."""

    session: Session
    ticket: Ticket | None
    actor: str
    now: datetime


class RelayExecutor:
    """Applies relay actions for an agent (through DeskExecutor) or for a user."""

    def __init__(
        self,
        services: DeskServices,
        on_resumed: Callable[[Session, Ticket], None] | None = None,
    ) -> None:
        self.services = services
        # The ticket was waiting for the user and now is not (the resolution clock resumes).
        self.on_resumed = on_resumed

    def apply(self, side: Side, actions: Sequence[RelayAction]) -> list[Outbound]:
        """Apply the actions in order; the replies to the user are returned, not queued."""
        return [call for action in actions for call in self.apply_one(side, action)]

    def apply_one(self, side: Side, action: RelayAction) -> list[Outbound]:
        """Apply one action; only ReplyToUser returns calls (the user's turn sends them)."""
        if isinstance(action, ReplyToUser):
            reply = Reply(action.template, action.params)
            return render_calls(self.services, action.chat_id, reply)
        session, ticket = side.session, side.ticket
        assert ticket is not None
        if isinstance(action, AddToHistory | AddRenderedToHistory):
            text = (
                action.text
                if isinstance(action, AddToHistory)
                else self.services.renderer.render(action.template, action.params)
            )
            add_event(
                session,
                ticket=ticket,
                kind=action.kind,
                actor=side.actor,
                now=side.now,
                text=text,
                visible_to_user=action.visible_to_user,
            )
        elif isinstance(action, ResumeAttendance):
            change_status(
                session, ticket=ticket, to=Status.EM_ATENDIMENTO, actor=side.actor, now=side.now
            )
            if self.on_resumed is not None:
                self.on_resumed(session, ticket)
        elif isinstance(action, NoteFirstResponse):
            note_first_response(session, ticket=ticket, now=side.now)
        elif isinstance(action, KeepFile):
            add_attachment(session, ticket=ticket, attachment=action.file, now=side.now)
        elif isinstance(action, RelayToThread):
            self._to_thread(side, ticket, action)
        elif isinstance(action, RelayFileToThread):
            caption = self.services.renderer.render(action.template, action.params)
            call = file_call(
                action.chat_id, action.file.kind, action.file.file_id, caption, RELAY_IN
            )
            queue(session, replace(call, ticket_id=ticket.id), self.services)
        elif isinstance(action, EditThreadCopy):
            self._edit_in_thread(session, ticket, action)
        elif isinstance(action, RelayToRequester):
            self._to_requester(side, ticket, action)
        else:
            self._edit_for_requester(session, ticket, action)
        return []

    def _to_thread(self, side: Side, ticket: Ticket, action: RelayToThread) -> None:
        """The user's text in the thread, linked to their message by the first row queued."""
        reply = Reply(action.template, action.params)
        rows = [
            queue(side.session, replace(call, kind=RELAY_IN, ticket_id=ticket.id), self.services)
            for call in render_calls(self.services, action.chat_id, reply)
        ]
        link_message(
            side.session,
            ticket=ticket,
            direction=IN,
            content="text",
            user_chat_id=action.user_chat_id,
            user_message_id=action.user_message_id,
            agent_chat_id=action.chat_id,
            outbox_id=rows[0].id,
            now=side.now,
        )

    def _edit_in_thread(self, session: Session, ticket: Ticket, action: EditThreadCopy) -> None:
        reply = Reply(action.template, action.params)
        [first, *_] = render_calls(self.services, action.chat_id, reply)
        if action.message_id is None:
            call = replace(first, kind=THREAD, ticket_id=ticket.id)
        else:
            params = {**first.params, "message_id": action.message_id}
            call = Outbound(action.chat_id, "editMessageText", params, IN_PLACE, ticket.id)
        queue(session, call, self.services)

    def _to_requester(self, side: Side, ticket: Ticket, action: RelayToRequester) -> None:
        """The agent's message to the requester, linked to it by the first row queued."""
        rows = [
            queue(side.session, call, self.services)
            for call in self._requester_calls(ticket, action)
        ]
        link_message(
            side.session,
            ticket=ticket,
            direction=OUT,
            content="media" if action.media else "text",
            user_chat_id=action.chat_id,
            agent_chat_id=action.agent_chat_id,
            agent_message_id=action.agent_message_id,
            outbox_id=rows[0].id,
            now=side.now,
        )

    def _edit_for_requester(
        self, session: Session, ticket: Ticket, action: EditRequesterCopy
    ) -> None:
        [first, *_] = self._requester_calls(ticket, action)
        if action.message_id is None:
            queue(session, first, self.services)
            return
        if action.media:
            params = {k: first.params[k] for k in ("caption", "parse_mode")}
            method = "editMessageCaption"
        else:
            params = {k: v for k, v in first.params.items() if k != "reply_markup"}
            method = "editMessageText"
        params["message_id"] = action.message_id
        call = Outbound(action.chat_id, method, params, TO_USER, ticket.id)
        queue(session, call, self.services)

    def _requester_calls(
        self, ticket: Ticket, action: RelayToRequester | EditRequesterCopy
    ) -> list[Outbound]:
        """The requester's copy: the signed text, or the agent's media copied with it."""
        if not action.media:
            reply = Reply(action.template, action.params)
            calls = render_calls(self.services, action.chat_id, reply)
            return [replace(call, kind=RELAY_OUT, ticket_id=ticket.id) for call in calls]
        caption = self.services.renderer.render(action.template, action.params)
        copy = {
            "from_chat_id": action.agent_chat_id,
            "message_id": action.agent_message_id,
            "caption": caption[:CAPTION_LIMIT],
            "parse_mode": "HTML",
        }
        return [Outbound(action.chat_id, "copyMessage", copy, RELAY_OUT, ticket.id)]
