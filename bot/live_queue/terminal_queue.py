"""The Balcão Virtual in `triagem chat`: the offices, their hours and the queue as it stands,
but no place is taken, since no attendant works in a terminal to call anyone."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.outbound import Outbound, reply_calls
from bot.rendering import Renderer
from bot.user_turn import UserTurn
from flows.actions import Reply
from flows.office_choice import offices_of
from flows.queue_actions import JoinQueue, NotifyWhenOpen, QueueAction
from flows.queue_ports import EntryView
from storage.live_queue import recent_service_seconds, waiting
from storage.turns import Requester


class NoPlace:
    """The terminal user holds no place in any queue (flows.queue_ports.QueueReader)."""

    def current(self) -> EntryView | None:
        """Never in a queue."""
        return None

    def entry(self, entry_id: int) -> EntryView | None:
        """No entries."""
        return None


class TerminalQueue:
    """Answers "Entrar na fila" with the place the person would take, and why not here."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer

    def attach(self, desk: UserTurn) -> None:
        """Give the flows a reader and an executor of the queue actions."""
        desk.queue_reader = lambda session, user_id: NoPlace()
        desk.on_queue_action = self.apply

    def apply(
        self, session: Session, user: Requester, chat_id: int, action: QueueAction, now: datetime
    ) -> list[Outbound]:
        """Joining (or "Avise-me quando abrir"): the queue as it is now, and Telegram instead."""
        if not isinstance(action, JoinQueue | NotifyWhenOpen):
            return []
        office = offices_of(self.renderer.kb).get(action.office_id)
        if office is None:
            return []
        ahead = len(waiting(session, office_id=office.id))
        samples = recent_service_seconds(session, office_id=office.id)
        minutes = max(1, round((ahead + 1) * sum(samples) / len(samples) / 60)) if samples else None
        params = {
            "office": office.name,
            "position": ahead + 1,
            "minutes": minutes,
            "notify": isinstance(action, NotifyWhenOpen),
        }
        return reply_calls(self.renderer, chat_id, Reply("queue/terminal", params))
