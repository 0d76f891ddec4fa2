"""The Balcão Virtual's live queues on Telegram: the person's actions, the attendants' commands,
the timers, and the pushes (position and card, edited in place)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from bot.agents.desk_services import Act, DeskServices
from bot.agents.group_updates import GroupButton
from bot.agents.posting import in_place
from bot.live_queue.counter import Counter
from bot.live_queue.messages import QueueMessages
from bot.live_queue.persons import CALL_WINDOW, OFFICE_OPEN, PersonActions
from bot.live_queue.queue_overview import office_summaries
from bot.live_queue.reader import StoreQueueReader
from bot.outbound import Outbound
from bot.scheduler import TimerHandler
from flows.office_choice import offices_of
from knowledge_base.models import KnowledgeBase

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

    def serves(self, chat_id: int) -> bool:
        """Whether a group serves offices (attendants work there even outside the desk's chats)."""
        return bool(self.counter.served(chat_id))

    def attend(self, act: Act, command: str, args: str) -> None:
        """/proximo, /encerrar and /fila's offices, authorized by the desk from its table."""
        if command == "fila":
            self.queues(act)
        else:
            self.counter.attend(act, command, args)

    def queues(self, act: Act) -> None:
        """After /fila's tickets' queues, each busy office's queue of this group."""
        offices = self.counter.served(act.chat_id)
        summaries = office_summaries(act.session, offices, self.messages, act.now)
        # Offices with nobody in line, nobody attended and nothing today add only noise.
        busy = [s for s in summaries if any(s[k] for k in _ACTIVITY)]
        if not busy:
            return
        in_place(self.counter.desk, act, "queue/queues", {"offices": busy})
        act.record("queue_queues")

    def group_button(self, session: Session, pressed: GroupButton) -> list[Outbound] | None:
        """The queue card's button (None: not ours)."""
        if not pressed.data.startswith("q:next:"):
            return None
        return self.counter.button(session, pressed)
