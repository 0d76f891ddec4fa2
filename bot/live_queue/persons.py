"""The person's queue actions applied to the store: join, leave, "Estou aqui", "avise-me",
the rating. Each is audited (no personal data in the details: entry and office ids)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from bot.live_queue.messages import QueueMessages, person_name
from bot.outbound import Outbound, reply_calls
from bot.rendering import Renderer
from flows.actions import Reply
from flows.queue_actions import (
    ConfirmPresence,
    JoinQueue,
    LeaveQueue,
    NotifyWhenOpen,
    QueueAction,
    RateAttendance,
)
from knowledge_base.models import OfficeHours
from storage import audit
from storage.live_queue import (
    AlreadyQueued,
    EntryStatus,
    entry_by_id,
    join_queue,
    move,
    position,
    rate_attendance,
    rating_of,
)
from storage.queue_tables import QueueEntry
from storage.timers import cancel, schedule
from storage.turns import Requester

CALL_WINDOW = "queue_call_window"
OFFICE_OPEN = "queue_office_open"
# Audit entries of the person's own steps name no one: the entry id leads to them if needed.
PERSON = "pessoa"


def entry_ref(entry_id: int) -> str:
    """The timers' reference for a queue entry."""
    return f"entry:{entry_id}"


class PersonActions:
    """Applies the flows' queue actions in the turn's transaction."""

    def __init__(
        self,
        offices: dict[str, OfficeHours],
        messages: QueueMessages,
        renderer: Renderer,
        clock: Callable[[], datetime],
    ) -> None:
        self.offices = offices
        self.messages = messages
        self.renderer = renderer
        self.clock = clock

    def apply(
        self, session: Session, user: Requester, chat_id: int, action: QueueAction, now: datetime
    ) -> list[Outbound]:
        """Apply one action; returns replies to send now (the rest is queued)."""
        if isinstance(action, NotifyWhenOpen):
            ref = f"user:{user.id}:open:{action.office_id}"
            cancel(session, ref=ref, kind=OFFICE_OPEN)
            payload = {"user_id": user.id, "chat_id": chat_id, "office_id": action.office_id}
            schedule(session, kind=OFFICE_OPEN, due_at=action.at, now=now, ref=ref, payload=payload)
            self._audit(session, "queue_notify", now, office=action.office_id)
            return []
        if isinstance(action, JoinQueue):
            return self._join(session, user, chat_id, action.office_id, now)
        entry = entry_by_id(session, entry_id=action.entry_id, lock=True)
        if entry is None or entry.user_id != user.id:
            return []
        office = self.offices.get(entry.office_id)
        if isinstance(action, RateAttendance):
            return self._rate(session, entry, action, chat_id, now)
        if office is None:
            return []
        if isinstance(action, LeaveQueue):
            self.leave(session, entry, office, now)
        elif isinstance(action, ConfirmPresence):
            return self._confirm(session, entry, office, chat_id, now)
        return []

    def _confirm(
        self, session: Session, entry: QueueEntry, office: OfficeHours, chat_id: int, now: datetime
    ) -> list[Outbound]:
        # Checked again under the row lock: the minute may have run out since the flow looked.
        if entry.status != EntryStatus.CALLED or entry.id is None:
            return reply_calls(self.renderer, chat_id, Reply("queue/call_expired"))
        move(session, entry=entry, to=EntryStatus.SERVING, now=now)
        cancel(session, ref=entry_ref(entry.id), kind=CALL_WINDOW)
        name = person_name(session, entry)
        self.messages.to_group(session, office, "queue/group_confirmed", name=name)
        self.messages.card(session, office)
        self._audit(session, "queue_confirm", now, entry=entry.id, office=office.id)
        return reply_calls(self.renderer, chat_id, Reply("queue/confirmed"))

    def leave(
        self, session: Session, entry: QueueEntry, office: OfficeHours, now: datetime
    ) -> None:
        """The person gives up their place; those behind move up."""
        if entry.status not in (EntryStatus.WAITING, EntryStatus.CALLED):
            return
        was_called = entry.status == EntryStatus.CALLED
        place = position(session, entry=entry)
        move(session, entry=entry, to=EntryStatus.LEFT, now=now)
        assert entry.id is not None
        self.messages.stop_position(session, entry.id)
        if was_called:
            cancel(session, ref=entry_ref(entry.id), kind=CALL_WINDOW)
            name = person_name(session, entry)
            self.messages.to_group(session, office, "queue/group_left", name=name)
        if place is not None:
            self.messages.positions(session, office, place)
        self.messages.card(session, office)
        self._audit(session, "queue_leave", now, entry=entry.id, office=office.id)

    def _join(
        self, session: Session, user: Requester, chat_id: int, office_id: str, now: datetime
    ) -> list[Outbound]:
        office = self.offices.get(office_id)
        if office is None:
            return []
        try:
            entry = join_queue(
                session, office_id=office_id, user_id=user.id, chat_id=chat_id, now=now
            )
        except AlreadyQueued:
            return reply_calls(
                self.renderer, chat_id, Reply("queue/already", {"office": office.name})
            )
        place = position(session, entry=entry) or 1
        self.messages.positions(session, office, place)
        self.messages.card(session, office)
        self._audit(session, "queue_join", now, entry=entry.id, office=office_id)
        return []

    def _rate(
        self,
        session: Session,
        entry: QueueEntry,
        action: RateAttendance,
        chat_id: int,
        now: datetime,
    ) -> list[Outbound]:
        assert entry.id is not None
        if entry.status != EntryStatus.DONE or rating_of(session, entry_id=entry.id) is not None:
            return reply_calls(self.renderer, chat_id, Reply("queue/rating_unavailable"))
        rate_attendance(session, entry=entry, score=action.score, comment=action.comment, now=now)
        self._audit(
            session, "queue_rate", now, entry=entry.id, office=entry.office_id, score=action.score
        )
        return []

    def _audit(self, session: Session, action: str, now: datetime, **details: object) -> None:
        audit(
            session,
            action=action,
            now=now,
            actor_telegram_id=None,
            actor_name=PERSON,
            details=details,
        )
