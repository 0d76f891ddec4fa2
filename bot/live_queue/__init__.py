"""The Balcão Virtual's live queues on Telegram: the person's actions, the attendants' commands,
the timers, and the pushes (position and card, edited in place)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from bot.agents.desk_services import Act, DeskServices
from bot.agents.group_updates import GroupButton, GroupMessage
from bot.agents.posting import in_place
from bot.live_queue.counter import Counter
from bot.live_queue.messages import QueueMessages
from bot.live_queue.persons import CALL_WINDOW, OFFICE_OPEN, PersonActions
from bot.live_queue.reader import StoreQueueReader
from bot.live_queue.supervision import office_summaries
from bot.outbound import Outbound
from bot.scheduler import TimerHandler
from flows.office_choice import offices_of
from knowledge_base.models import KnowledgeBase
from storage import agent_by_telegram_id

__all__ = ["LiveQueue"]
_ACTIVITY = ("waiting", "called", "serving", "done", "missed", "left")


class LiveQueue:
    """Wires the live queue into the desk (users), the agent desk (groups) and the scheduler."""

    def __init__(self, desk_services: DeskServices, clock: Callable[[], datetime]) -> None:
        self.offices = offices_of(desk_services.kb)
        self.clock = clock
        default_group = desk_services.settings.agent_chat_id
        self.messages = QueueMessages(
            desk_services.renderer, clock, lambda office: office.agent_chat_id or default_group
        )
        self.counter = Counter(desk_services, self.offices, self.messages)
        self.persons = PersonActions(self.offices, self.messages, desk_services.renderer, clock)

    def reader(self, session: Session, user_id: int) -> StoreQueueReader:
        """What the flows read of a person's place in the queues."""
        return StoreQueueReader(session, user_id, self.messages)

    def timers(self) -> dict[str, TimerHandler]:
        """The queues' timer handlers by kind, for the scheduler."""
        return {CALL_WINDOW: self.counter.on_call_window, OFFICE_OPEN: self.counter.on_office_open}

    def use(self, kb: KnowledgeBase) -> None:
        """A reloaded knowledge base: its offices from now on (the dict is shared by every part)."""
        offices = offices_of(kb)
        self.offices.clear()
        self.offices.update(offices)

    def group_command(self, session: Session, message: GroupMessage) -> bool:
        """/proximo and /encerrar in a group serving offices (True when handled)."""
        return self.counter.command(session, message)

    def group_button(self, session: Session, pressed: GroupButton) -> list[Outbound] | None:
        """The queue card's button (None: not ours)."""
        if not pressed.data.startswith("q:next:"):
            return None
        return self.counter.button(session, pressed)

    def after_group_message(self, session: Session, message: GroupMessage) -> None:
        """After the desk's /fila (the tickets' queues), each busy office's queue."""
        command = message.command
        if command is None or command[0] != "fila" or message.edited:
            return
        offices = self.counter.served(message.chat_id)
        agent = agent_by_telegram_id(session, telegram_user_id=message.sender.id)
        # Anyone else was already refused (and audited) by the desk.
        if not offices or agent is None or self.counter.desk.factor.verdict(agent) != "ok":
            return
        act = Act(
            session,
            agent,
            message.chat_id,
            message.thread_id,
            message.message_id,
            None,
            self.clock(),
        )
        summaries = office_summaries(session, offices, self.messages, act.now)
        # Offices with nobody in line, nobody attended and nothing today add only noise.
        busy = [s for s in summaries if any(s[k] for k in _ACTIVITY)]
        if not busy:
            return
        in_place(self.counter.desk, act, "queue/queues", {"offices": busy})
        act.record("queue_queues")
