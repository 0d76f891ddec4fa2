"""The attendants' side applied: /proximo, /encerrar and the card's button in an office's group,
and the call window's timer. Decisions are flows/counter_decisions.py's; this module builds their
view and applies their actions through storage, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from bot.agents.desk_services import Act, DeskServices
from bot.agents.group_updates import GroupButton, Person
from bot.agents.posting import Place, reply_at
from bot.live_queue.messages import QueueMessages, person_name
from bot.live_queue.steps import Steps
from bot.outbound import Outbound
from flows import counter_decisions
from flows.actions import Reply
from flows.keyboards import button
from knowledge_base.models import OfficeHours
from storage import User, agent_by_telegram_id
from storage.live_queue import EntryStatus, attendance_of, entry_by_id, first_waiting
from storage.queue_tables import QueueEntry, Timer


class Counter:
    """Runs the attendants' commands for the offices each group serves."""

    def __init__(
        self, desk: DeskServices, offices: dict[str, OfficeHours], messages: QueueMessages
    ) -> None:
        self.desk = desk
        self.offices = offices
        self.messages = messages
        self.steps = Steps(desk, offices, messages)

    def group_of(self, office: OfficeHours) -> int | None:
        """The agents' group that serves the office."""
        return self.messages.group_of(office)

    def served(self, chat_id: int) -> list[OfficeHours]:
        """The offices a group serves."""
        return [o for o in self.offices.values() if self.group_of(o) == chat_id]

    def attend(self, act: Act, command: str, args: str) -> None:
        """/proximo or /encerrar (rows of bot/agents/commands.py) by an authorized attendant."""
        place = Place(act.chat_id, act.thread_id, act.message_id)
        offices = self.served(act.chat_id)
        if not offices:
            reply_at(self.desk, act.session, place, "queue/no_offices", {})
            return
        who = Person(act.agent.telegram_user_id, act.agent.display_name)
        self._run(act.session, command, args, offices, who, place)

    def button(self, session: Session, pressed: GroupButton) -> list[Outbound]:
        """The card's "Chamar o próximo" (`q:next:OFFICE`): /proximo for that office."""
        answer = Outbound(
            pressed.sender.id, "answerCallbackQuery", {"callback_query_id": pressed.query_id}
        )
        office_id = pressed.data.removeprefix("q:next:")
        offices = [o for o in self.served(pressed.chat_id) if o.id == office_id]
        if offices:
            place = Place(pressed.chat_id, pressed.thread_id, None)
            self._run(session, "proximo", office_id, offices, pressed.sender, place)
        return [answer]

    def on_call_window(self, session: Session, timer: Timer) -> None:
        """The minute ran out: a person still called missed it, and the next one is called."""
        entry = entry_by_id(session, entry_id=int(timer.payload.get("entry_id", 0)), lock=True)
        if entry is None or entry.status != EntryStatus.CALLED:
            return
        office = self.offices.get(entry.office_id)
        seat = None if office is None else self._seat(session, office, entry.meeting_url or "")
        actions = counter_decisions.window_expired(self._attendance(session, entry), seat)
        attendant = Person(entry.attendant_telegram_id or 0, entry.attendant_name or "")
        group = None if office is None else self.group_of(office)
        self._apply(session, actions, attendant, Place(group or 0, None, None), system=True)

    def on_office_open(self, session: Session, timer: Timer) -> None:
        """'Avise-me quando abrir': the office opened."""
        office = self.offices.get(str(timer.payload.get("office_id")))
        chat_id = timer.payload.get("chat_id")
        user = session.get(User, int(timer.payload.get("user_id", 0)))
        if office is None or user is None or user.unreachable or not isinstance(chat_id, int):
            return
        keys = ((button("queue_join", f"q:j:{office.id}"),),)
        self.messages.to_person(
            session, chat_id, Reply("queue/office_open", {"office": office.name}, keys)
        )

    def _run(
        self,
        session: Session,
        name: str,
        args: str,
        offices: list[OfficeHours],
        sender: Person,
        place: Place,
    ) -> None:
        agent = agent_by_telegram_id(session, telegram_user_id=sender.id)
        verdict = "not_agent" if agent is None else self.desk.factor.verdict(agent)
        current = attendance_of(session, attendant_telegram_id=sender.id)
        view = counter_decisions.CounterView(
            tuple(self._seat(session, o, o.meeting_url) for o in offices),
            verdict,
            None if current is None else self._attendance(session, current),
        )
        who = Person(sender.id, agent.display_name if agent else sender.name)
        self._apply(session, counter_decisions.decide(name, args, view), who, place)

    def _apply(
        self,
        session: Session,
        actions: Iterable[counter_decisions.CounterAction],
        who: Person,
        place: Place,
        system: bool = False,
    ) -> None:
        now = self.desk.clock()
        for action in actions:
            if isinstance(action, counter_decisions.Answer):
                keys = tuple(
                    (button("queue_next", f"q:next:{i}", office=n),) for i, n in action.next_buttons
                )
                params = {"name": who.name, **action.params}
                reply_at(self.desk, session, place, action.template, params, keys)
            elif isinstance(action, counter_decisions.Record):
                self.steps.audit(
                    session, action.action, now, who, system, action.outcome, action.details
                )
            elif isinstance(action, counter_decisions.Call):
                self.steps.call(session, action, who, place, now, system)
            elif isinstance(action, counter_decisions.Miss):
                self.steps.miss(session, action.entry_id, now)
            else:
                self.steps.end(session, action.entry_id, who, now)

    def _seat(
        self, session: Session, office: OfficeHours, link: str
    ) -> counter_decisions.OfficeSeat:
        anyone = first_waiting(session, office_id=office.id) is not None
        return counter_decisions.OfficeSeat(office.id, office.name, link, anyone)

    def _attendance(self, session: Session, entry: QueueEntry) -> counter_decisions.Attendance:
        assert entry.id is not None
        return counter_decisions.Attendance(
            entry.id, entry.office_id, entry.status, person_name(session, entry)
        )
