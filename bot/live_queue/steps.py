"""The steps of an attendance, applied to the store and the outbox: the call (with its
1-minute timer), the no-show, the end (with the rating request), and their audit entries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.agents.desk_services import DeskServices
from bot.agents.group_updates import Person
from bot.agents.posting import Place, reply_at
from bot.live_queue.messages import QueueMessages, person_name
from bot.live_queue.persons import CALL_WINDOW, entry_ref
from flows import counter_decisions
from flows.actions import Reply
from flows.keyboards import button
from flows.office_rating import rating_buttons
from knowledge_base.models import OfficeHours
from storage import audit as audit_entry
from storage.live_queue import EntryStatus, entry_by_id, first_waiting, move
from storage.timers import cancel, schedule

# The guide: "A entrada no atendimento deverá ser feita em até 01 (um) minuto".
CALL_WINDOW_LENGTH = timedelta(minutes=1)
CALL_TEXT, END_TEXT = "balcao_chamado_1_minuto", "balcao_avaliacao"


class Steps:
    """Applies the attendants' decisions (flows/counter_decisions.py) in the caller's
    transaction."""

    def __init__(
        self, desk: DeskServices, offices: dict[str, OfficeHours], messages: QueueMessages
    ) -> None:
        self.desk = desk
        self.offices = offices
        self.messages = messages

    def call(
        self,
        session: Session,
        call: counter_decisions.Call,
        who: Person,
        place: Place,
        now: datetime,
        system: bool,
    ) -> None:
        office = self.offices[call.office_id]
        entry = first_waiting(session, office_id=office.id, lock=True)
        if entry is None or entry.id is None:  # taken by another attendant meanwhile
            reply_at(self.desk, session, place, "queue/empty", {"office": office.name})
            return
        entry.attendant_telegram_id, entry.attendant_name = who.id, who.name
        entry.meeting_url = call.meeting_url
        move(session, entry=entry, to=EntryStatus.CALLED, now=now)
        schedule(
            session,
            kind=CALL_WINDOW,
            due_at=now + CALL_WINDOW_LENGTH,
            now=now,
            ref=entry_ref(entry.id),
            payload={"entry_id": entry.id},
        )
        self.messages.stop_position(session, entry.id)
        text = self.desk.kb.texts.get(CALL_TEXT, "")
        keys = (
            (button("queue_enter", f"url:{call.meeting_url}"),),
            (button("queue_here", f"q:h:{entry.id}"),),
        )
        call_reply = Reply("queue/call", {"office": office.name, "text": text}, keys)
        self.messages.to_person(session, entry.chat_id, call_reply)
        self.messages.to_group(
            session,
            office,
            "queue/group_called",
            name=person_name(session, entry),
            attendant=who.name,
        )
        self.messages.positions(session, office, 1)
        self.messages.card(session, office)
        self.audit(
            session, "queue_call", now, who, system, "ok", {"entry": entry.id, "office": office.id}
        )

    def miss(self, session: Session, entry_id: int, now: datetime) -> None:
        entry = entry_by_id(session, entry_id=entry_id, lock=True)
        if entry is None or entry.status != EntryStatus.CALLED:
            return
        office = self.offices[entry.office_id]
        move(session, entry=entry, to=EntryStatus.MISSED, now=now)
        self.messages.to_person(
            session, entry.chat_id, Reply("queue/missed", {"office": office.name})
        )
        self.messages.to_group(
            session, office, "queue/group_missed", name=person_name(session, entry)
        )
        self.messages.card(session, office)

    def end(self, session: Session, entry_id: int, who: Person, now: datetime) -> None:
        entry = entry_by_id(session, entry_id=entry_id, lock=True)
        if entry is None or entry.status not in (EntryStatus.CALLED, EntryStatus.SERVING):
            return
        office = self.offices[entry.office_id]
        move(session, entry=entry, to=EntryStatus.DONE, now=now)
        cancel(session, ref=entry_ref(entry_id), kind=CALL_WINDOW)
        text = self.desk.kb.texts.get(END_TEXT, "")
        ended = Reply(
            "queue/ended", {"office": office.name, "text": text}, rating_buttons(entry_id)
        )
        self.messages.to_person(session, entry.chat_id, ended)
        self.messages.to_group(
            session,
            office,
            "queue/group_ended",
            name=person_name(session, entry),
            attendant=who.name,
        )
        self.messages.card(session, office)

    def audit(
        self,
        session: Session,
        action: str,
        now: datetime,
        who: Person,
        system: bool,
        outcome: str,
        details: Any,
    ) -> None:
        audit_entry(
            session,
            action=action,
            now=now,
            actor_telegram_id=None if system else who.id,
            actor_name="sistema" if system else who.name,
            outcome=outcome,
            details=dict(details),
        )
