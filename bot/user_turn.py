"""The desk: one user event through the flows and the store, in the caller's transaction."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.export_summary import export_summary
from bot.log_fields import note_ticket
from bot.outbound import Outbound, reply_calls
from bot.rendering import Renderer
from bot.ticket_views import StoreTicketReader, ticket_view
from flows.actions import (
    Action,
    CancelTicket,
    CommentRating,
    EraseUserData,
    ExportUserData,
    NoteGap,
    OpenTicket,
    RateTicket,
    RelayToTicket,
    Reply,
)
from flows.events import Event
from flows.machine import advance, prompt
from flows.my_tickets import ticket_opened_reply
from flows.ports import Services, Triage
from flows.queue_actions import (
    ConfirmPresence,
    JoinQueue,
    LeaveQueue,
    NotifyWhenOpen,
    QueueAction,
    RateAttendance,
)
from flows.queue_ports import QueueReader
from flows.state import IDLE, ConversationState, CorruptState
from knowledge_base.models import KnowledgeBase
from storage import (
    USER,
    Ticket,
    User,
    cancel_ticket,
    comment_rating,
    erase_user_data,
    export_user_data,
    normalize_code,
    open_ticket,
    queue_fronts_of_user,
    queue_position,
    rate_ticket,
    save_conversation,
    ticket_by_code,
)
from storage.errors import TicketNotRateable
from storage.gaps import note_gap
from storage.turns import Requester, SavedConversation, Turn, start_turn

log = logging.getLogger(__name__)

# Outbox kind of the export document: its row is scrubbed once sent (it holds all their data).
EXPORT = "export"


@dataclass(frozen=True)
class Incoming:
    """An event from a user in a chat, with who they are as Telegram reports it."""

    chat_id: int
    telegram_user_id: int
    name: str
    event: Event
    username: str | None = None


class UserTurn:
    """Runs the flows against the store; everything happens in the session it is given."""

    def __init__(
        self,
        kb: KnowledgeBase,
        triage: Triage,
        renderer: Renderer,
        clock: Callable[[], datetime],
        on_ticket_opened: Callable[[Session, Ticket], list[Outbound]] | None = None,
        on_queue_changed: Callable[[Session, str, int], None] | None = None,
        on_relay: Callable[[Session, User, RelayToTicket], list[Outbound]] | None = None,
        on_turn: Callable[[ConversationState, list[Action]], None] | None = None,
        queue_reader: Callable[[Session, int], QueueReader] | None = None,
        on_queue_action: (
            Callable[[Session, Requester, int, QueueAction, datetime], list[Outbound]] | None
        ) = None,
    ) -> None:
        self.kb = kb
        self.triage = triage
        self.renderer = renderer
        self.clock = clock
        self.on_ticket_opened = on_ticket_opened
        # (session, offer id, first queue position that moved): pushes new positions.
        self.on_queue_changed = on_queue_changed
        # (session, requester, action): passes a message to the agents working on the ticket.
        self.on_relay = on_relay
        # (new state, actions) of every turn: lets `triagem kb eval` see what the flows decided.
        self.on_turn = on_turn
        # The Balcão Virtual's live queues (bot/live_queue):
        # (session, user id) -> the person's reader; and the executor of the queue actions.
        self.queue_reader = queue_reader
        self.on_queue_action = on_queue_action

    def handle(self, session: Session, incoming: Incoming) -> list[Outbound]:
        """Advance the user's conversation by one event; returns the calls to send.

        Raises storage.StaleConversation when another worker saved the conversation first:
        the caller rolls back and runs the event again.
        """
        now = self.clock()
        turn = self._start(session, incoming, now)
        user, saved = turn.user, turn.conversation
        new_state, actions = advance(
            _state_of(saved), incoming.event, self._services(session, turn, now)
        )
        if self.on_turn is not None:
            self.on_turn(new_state, actions)
        calls: list[Outbound] = []
        erased = False
        for action in actions:
            calls += self._apply(session, user, incoming.chat_id, action, now)
            erased = erased or isinstance(action, EraseUserData)
        if not erased:
            save_conversation(
                session,
                chat_id=incoming.chat_id,
                user_id=user.id,
                state=new_state.name,
                data=new_state.data,
                expected_version=saved.version if saved else None,
                now=now,
            )
        return calls

    def resume(self, session: Session, incoming: Incoming) -> list[Outbound]:
        """Where the user left off: the pending question again, or the greeting when idle."""
        now = self.clock()
        turn = self._start(session, incoming, now)
        state = _state_of(turn.conversation)
        if state.name == IDLE.name:
            return self.handle(session, incoming)
        try:
            actions = prompt(state, self._services(session, turn, now))
        except CorruptState:
            return self.handle(session, incoming)
        return [
            c
            for a in actions
            if isinstance(a, Reply)
            for c in reply_calls(self.renderer, incoming.chat_id, a)
        ]

    def _start(self, session: Session, incoming: Incoming, now: datetime) -> Turn:
        return start_turn(
            session,
            telegram_user_id=incoming.telegram_user_id,
            chat_id=incoming.chat_id,
            name=incoming.name,
            username=incoming.username,
            now=now,
        )

    def _services(self, session: Session, turn: Turn, now: datetime) -> Services:
        reader = StoreTicketReader(session, turn.user.id)
        queue = self.queue_reader(session, turn.user.id) if self.queue_reader else None
        return Services(self.kb, self.triage, reader, now, turn.user.id, queue)

    def _apply(
        self, session: Session, user: Requester, chat_id: int, action: Action, now: datetime
    ) -> list[Outbound]:
        if isinstance(action, Reply):
            return reply_calls(self.renderer, chat_id, action)
        if isinstance(action, OpenTicket):
            return self._open(session, user, chat_id, action, now)
        if isinstance(action, CancelTicket):
            ticket = self._owned(session, user, action.code)
            if ticket is not None:
                position = queue_position(session, ticket=ticket)
                cancel_ticket(session, ticket=ticket, actor=USER, now=now)
                if position is not None and self.on_queue_changed is not None:
                    self.on_queue_changed(session, ticket.offer_id, position)
            return []
        if isinstance(action, RateTicket):
            ticket = self._owned(session, user, action.code)
            if ticket is None:
                return []
            try:
                with session.begin_nested():
                    rate_ticket(
                        session, ticket=ticket, score=action.score, comment=action.comment, now=now
                    )
            except TicketNotRateable:
                # Reopened (or rated) since the flow asked: say so instead of failing the turn.
                unavailable = Reply("rating_unavailable", {"code": ticket.code})
                return reply_calls(self.renderer, chat_id, unavailable)
            return []
        if isinstance(
            action, JoinQueue | LeaveQueue | ConfirmPresence | NotifyWhenOpen | RateAttendance
        ):
            if self.on_queue_action is None:
                return []
            return self.on_queue_action(session, user, chat_id, action, now)
        if isinstance(action, CommentRating):
            ticket = self._owned(session, user, action.code)
            if (
                ticket is None
                or comment_rating(session, ticket=ticket, comment=action.comment, now=now) is None
            ):
                unavailable = Reply("rating_unavailable", {"code": action.code})
                return reply_calls(self.renderer, chat_id, unavailable)
            return []
        if isinstance(action, ExportUserData):
            return self._export(session, user, chat_id, now)
        if isinstance(action, NoteGap):
            note_gap(
                session,
                kind=action.kind,
                text=action.text,
                article_id=action.article_id,
                user_id=user.id,
                now=now,
            )
            return []
        if isinstance(action, RelayToTicket):
            if self.on_relay is None:
                return []
            # The ORM row, read fresh: start_turn may have updated it past the identity map.
            stored = session.get(User, user.id, populate_existing=True)
            return [] if stored is None else self.on_relay(session, stored, action)
        self._erase(session, user, now)
        return []

    def _erase(self, session: Session, user: Requester, now: datetime) -> None:
        """Erase the user's data; those queued behind their cancelled tickets move up."""
        fronts = queue_fronts_of_user(session, user_id=user.id)
        erase_user_data(session, user_id=user.id, now=now)
        if self.on_queue_changed is not None:
            for offer_id, position in fronts.items():
                self.on_queue_changed(session, offer_id, position)

    def _open(
        self, session: Session, user: Requester, chat_id: int, action: OpenTicket, now: datetime
    ) -> list[Outbound]:
        offer = self.kb.offers[action.offer_id]
        category = offer.category(action.category) if action.category else None
        target = category.target_hours if category and category.target_hours else offer.target_hours
        ticket = open_ticket(
            session,
            offer_id=offer.id,
            code_prefix=offer.code_prefix,
            category=action.category,
            priority=action.priority,
            requester_id=user.id,
            fields=dict(action.fields),
            attachments=action.attachments,
            target_hours=target,
            now=now,
        )
        note_ticket(ticket.code)
        log.info("ticket %s opened in %s", ticket.code, offer.id)
        view = ticket_view(session, ticket, with_history=False, new=True)
        calls = reply_calls(self.renderer, chat_id, ticket_opened_reply(view, self.kb))
        if view.queue_position is not None and self.on_queue_changed is not None:
            # A more urgent ticket goes ahead of others: those behind it moved back.
            self.on_queue_changed(session, ticket.offer_id, view.queue_position + 1)
        if self.on_ticket_opened is not None:
            calls += self.on_ticket_opened(session, ticket)
        return calls

    def _export(
        self, session: Session, user: Requester, chat_id: int, now: datetime
    ) -> list[Outbound]:
        """A summary people can read, then everything as a JSON document file."""
        data = export_user_data(session, user_id=user.id)
        params = {**export_summary(data, self.kb), "generated_at": now}
        calls = reply_calls(self.renderer, chat_id, Reply("data_export", params))
        document = json.dumps(data, ensure_ascii=False, indent=1, default=str).encode()
        name = self.renderer.render("data_export_filename", {"generated_at": now}).strip()
        upload = {"upload": base64.b64encode(document).decode(), "filename": name}
        caption = self.renderer.render("data_export_caption", {"filename": name})
        file = {"document": upload, "caption": caption, "parse_mode": "HTML"}
        return [*calls, Outbound(chat_id, "sendDocument", file, EXPORT)]

    def _owned(self, session: Session, user: Requester, code: str) -> Ticket | None:
        normalized = normalize_code(code)
        ticket = ticket_by_code(session, code=normalized) if normalized else None
        return ticket if ticket is not None and ticket.requester_id == user.id else None


def _state_of(saved: SavedConversation | None) -> ConversationState:
    if saved is None:
        return IDLE
    return ConversationState.from_dict({"name": saved.state, "data": saved.data})
