"""What the live queue writes to the outbox: the person's position and the office's card (each
one message edited in place), and plain messages to the person or the office's group."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.outbound import reply_calls
from bot.rendering import Renderer
from flows.actions import Keyboard, Reply
from flows.keyboards import button
from flows.office_queue import position_reply
from flows.queue_ports import EntryView
from knowledge_base.models import OfficeHours
from storage import User, enqueue
from storage.live_messages import drop_live_message, put_live_message
from storage.live_queue import attending, recent_service_seconds, waiting
from storage.queue_tables import QueueEntry

# One position edit per person in this interval, at most: Telegram allows about one message a
# second per chat and 30 a second overall, and a queue of hundreds moves everyone at each call.
POSITION_EVERY = timedelta(seconds=15)
# A long line stretches the interval so its edits stay under this rate (messages/s), leaving
# the rest of the overall 30/s to calls, answers and everyone else.
POSITION_RATE = 15.0
# The office's card in its group: groups allow 20 messages a minute.
CARD_EVERY = timedelta(seconds=10)
POSITION, CARD, TO_PERSON, TO_GROUP = "queue_pos", "queue_card", "queue_user", "queue_group"
# A button whose callback data starts so is a link button (Telegram's "url" field).
URL_PREFIX = "url:"


def position_key(entry_id: int) -> str:
    """The dedupe key of a person's position message."""
    return f"qpos:{entry_id}"


class QueueMessages:
    """Renders and queues the live queue's messages in the caller's transaction."""

    def __init__(
        self,
        renderer: Renderer,
        clock: Callable[[], datetime],
        group_of: Callable[[OfficeHours], int | None],
    ) -> None:
        self.renderer = renderer
        self.clock = clock
        self.group_of = group_of

    def estimate(self, session: Session, office_id: str, position: int) -> int | None:
        """Minutes until a person at `position` is served: a moving average of service times."""
        samples = recent_service_seconds(session, office_id=office_id)
        if not samples:
            return None
        return max(1, round(position * (sum(samples) / len(samples)) / 60))

    def positions(self, session: Session, office: OfficeHours, from_position: int = 1) -> int:
        """Push the new position of everyone waiting at or behind `from_position`; how many."""
        line = waiting(session, office_id=office.id)
        samples = recent_service_seconds(session, office_id=office.id)
        average = sum(samples) / len(samples) if samples else None
        kb = self.renderer.kb
        notice = next((o.notice for o in kb.offers.values() if office in o.offices), "")
        every = max(POSITION_EVERY, timedelta(seconds=len(line) / POSITION_RATE))
        pushed = 0
        for number, entry in enumerate(line, start=1):
            if number < from_position or entry.id is None:
                continue
            minutes = None if average is None else max(1, round(number * average / 60))
            view = EntryView(entry.id, office.id, entry.status, number, minutes)
            params = self._params(position_reply(view, office.name, notice))
            key = position_key(entry.id)
            now = self.clock()
            put_live_message(
                session,
                chat_id=entry.chat_id,
                key=key,
                kind=POSITION,
                params=params,
                now=now,
                min_interval=every,
            )
            pushed += 1
        return pushed

    def stop_position(self, session: Session, entry_id: int) -> None:
        """No more position edits for this entry (called, or out of the queue)."""
        drop_live_message(session, key=position_key(entry_id), reason="left the line")

    def card(self, session: Session, office: OfficeHours) -> None:
        """The office's card in its group: who waits, who is being called or served."""
        group = self.group_of(office)
        if group is None:
            return
        line = waiting(session, office_id=office.id)
        people = [
            {"name": _name(session, e), "status": e.status, "attendant": e.attendant_name or ""}
            for e in attending(session, office_id=office.id)
        ]
        params = {
            "office": office.name,
            "open": office.calendar.is_open(self.clock()),
            "waiting": len(line),
            "next_name": _name(session, line[0]) if line else "",
            "attending": people,
        }
        keys: Keyboard = ()
        if line:
            keys = ((button("queue_next", f"q:next:{office.id}", office=""),),)
        put_live_message(
            session,
            chat_id=group,
            key=f"qcard:{office.id}",
            kind=CARD,
            params=self._params(Reply("queue/card", params, keys)),
            now=self.clock(),
            min_interval=CARD_EVERY,
        )

    def to_person(self, session: Session, chat_id: int, reply: Reply) -> None:
        """A message to the person (link buttons allowed)."""
        self._enqueue(session, chat_id, reply, TO_PERSON)

    def to_group(self, session: Session, place: OfficeHours, template: str, **params: Any) -> None:
        """A message in the office's group (the template gets `office`, its name, too)."""
        group = self.group_of(place)
        if group is not None:
            reply = Reply(template, {"office": place.name, **params})
            self._enqueue(session, group, reply, TO_GROUP)

    def _enqueue(self, session: Session, chat_id: int, reply: Reply, kind: str) -> None:
        for call in reply_calls(self.renderer, chat_id, reply):
            enqueue(
                session,
                chat_id=chat_id,
                method=call.method,
                params=_with_links(call.params),
                now=self.clock(),
                kind=kind,
            )

    def _params(self, reply: Reply) -> dict[str, Any]:
        (call,) = reply_calls(self.renderer, 0, reply)
        return _with_links(call.params)


def person_name(session: Session, entry: QueueEntry) -> str:
    """The person's name as Telegram gave it (for the attendants)."""
    return _name(session, entry)


def _name(session: Session, entry: QueueEntry) -> str:
    user = session.get(User, entry.user_id)
    return user.name if user is not None else "?"


def _with_links(params: dict[str, Any]) -> dict[str, Any]:
    markup = params.get("reply_markup")
    if not markup:
        return params
    rows = [
        [
            {"text": b["text"], "url": b["callback_data"][len(URL_PREFIX) :]}
            if b.get("callback_data", "").startswith(URL_PREFIX)
            else b
            for b in row
        ]
        for row in markup["inline_keyboard"]
    ]
    return {**params, "reply_markup": {"inline_keyboard": rows}}
