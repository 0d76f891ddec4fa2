"""Play evaluation dialogs through the real desk and flows, on an in-memory store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlmodel import Session

from bot.desk import Desk, Incoming
from bot.rendering import Renderer
from bot.terminal import to_plain
from flows.actions import Action
from flows.events import Text
from flows.outcome import Outcome, outcome
from flows.state import ConversationState
from knowledge_base.dialogs import Turn
from knowledge_base.models import KnowledgeBase
from knowledge_base.triage import Triage
from storage import ensure_schema, make_engine

# A Monday at 12:00 in Brasília: every office the seeds describe is open, as in a working day.
EVAL_NOW = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)


class DialogPlayer:
    """One in-memory store; each dialog is a new user in a new chat."""

    def __init__(self, kb: KnowledgeBase, triage: Triage) -> None:
        self.kb = kb
        self.engine = make_engine("sqlite://")
        ensure_schema(self.engine, auto_upgrade=True)
        self._last = Outcome("idle")
        self.desk = Desk(kb, triage, Renderer(kb), lambda: EVAL_NOW, on_turn=self._seen)
        self._users = 0

    def _seen(self, state: ConversationState, actions: list[Action]) -> None:
        self._last = outcome(state, actions, self.kb)

    def play(self, turns: Sequence[str]) -> list[Turn]:
        """Each turn typed by a fresh user, with the decision and the bot's replies after it."""
        self._users += 1
        user = self._users
        played = []
        for text in turns:
            incoming = Incoming(user, user, f"avaliacao {user}", Text(text))
            with Session(self.engine) as session, session.begin():
                calls = self.desk.handle(session, incoming)
            replies = tuple(to_plain(c.text) for c in calls if c.text)
            played.append(Turn(self._last.label, self._last.category, replies))
        return played
