"""The Balcão Virtual's person-side decisions, pure: office choice, join, the call, the rating."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.rendering import Renderer
from flows.actions import Action, Reply
from flows.events import Button, Command, Event, Text
from flows.machine import advance
from flows.ports import Services
from flows.queue_actions import (
    ConfirmPresence,
    JoinQueue,
    LeaveQueue,
    NotifyWhenOpen,
    RateAttendance,
)
from flows.queue_ports import EntryView
from flows.state import IDLE, ConversationState
from knowledge_base.loader import load_knowledge_base
from knowledge_base.models import KnowledgeBase
from knowledge_base.triage import Triage

from .conversation import check_turn

OFFICE = "coord-entrada-distribuicao-recursos"
MONDAY_10H = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)  # 10:00 in Brasília
SUNDAY = datetime(2026, 12, 6, 13, 0, tzinfo=UTC)


@dataclass
class Reader:
    """A person's entries, as the desk would read them."""

    entries: list[EntryView] = field(default_factory=list)

    def current(self) -> EntryView | None:
        return next((e for e in self.entries if e.status in ("waiting", "called", "serving")), None)

    def entry(self, entry_id: int) -> EntryView | None:
        return next((e for e in self.entries if e.id == entry_id), None)


class NoTickets:
    def tickets_of_user(self) -> list[object]:
        return []

    def ticket(self, code: str) -> None:
        return None

    def in_attendance(self) -> list[object]:
        return []


Bundled = tuple[KnowledgeBase, Triage, Renderer]


@pytest.fixture(scope="module")
def bundled() -> Bundled:
    kb = load_knowledge_base(Path(__file__).resolve().parents[2] / "knowledge_base")
    return kb, Triage(kb), Renderer(kb)


def turn(
    bundled: Bundled,
    event: Event,
    reader: Reader,
    now: datetime = MONDAY_10H,
    state: ConversationState = IDLE,
) -> tuple[ConversationState, list[Action]]:
    kb, triage, renderer = bundled
    services = Services(kb, triage, NoTickets(), now, 1, reader)  # type: ignore[arg-type]
    new_state, actions = advance(state, event, services)
    check_turn(new_state, actions, renderer)
    return new_state, actions


def test_asking_for_the_office_shows_its_welcome_and_joining_is_one_action(
    bundled: Bundled,
) -> None:
    reader = Reader()
    _, actions = turn(bundled, Text("quero falar com a coordenadoria de entrada"), reader)
    [welcome] = actions
    assert isinstance(welcome, Reply) and welcome.template == "queue/welcome"
    assert welcome.buttons[0][0].data == f"q:j:{OFFICE}"
    assert turn(bundled, Button(f"q:j:{OFFICE}"), reader)[1] == [JoinQueue(OFFICE)]


def test_outside_hours_the_closed_screen_and_the_notice_at_the_next_opening(
    bundled: Bundled,
) -> None:
    reader = Reader()
    [closed] = turn(bundled, Button(f"q:o:{OFFICE}"), reader, SUNDAY)[1]
    assert isinstance(closed, Reply) and closed.template == "queue/closed"
    opening = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # Monday 08:00 in Brasília
    assert closed.params["next_opening"] == opening
    notice, _ = turn(bundled, Button(f"q:n:{OFFICE}"), reader, SUNDAY)[1]
    assert notice == NotifyWhenOpen(OFFICE, opening)
    # "Entrar na fila" pressed on Sunday gets the closed screen, not a place.
    [again] = turn(bundled, Button(f"q:j:{OFFICE}"), reader, SUNDAY)[1]
    assert isinstance(again, Reply) and again.template == "queue/closed"


def test_one_place_at_a_time_fila_and_leaving(bundled: Bundled) -> None:
    reader = Reader([EntryView(5, OFFICE, "waiting", position=3, estimate_minutes=20)])
    already, _ = turn(bundled, Button(f"q:j:{OFFICE}"), reader)[1]
    assert isinstance(already, Reply) and already.template == "queue/already"
    [shown] = turn(bundled, Command("fila"), reader)[1]
    assert isinstance(shown, Reply) and shown.params["position"] == 3
    assert shown.params["minutes"] == 20
    assert turn(bundled, Text("Sair da fila"), reader)[1][0] == LeaveQueue(5)
    assert turn(bundled, Button("q:l:6"), reader)[1][0] == Reply("queue/not_in_queue")


def test_estou_aqui_only_while_called_and_the_rating_with_a_comment(bundled: Bundled) -> None:
    called = Reader([EntryView(5, OFFICE, "called")])
    assert turn(bundled, Button("q:h:5"), called)[1] == [ConfirmPresence(5)]
    missed = Reader([EntryView(5, OFFICE, "missed")])
    assert turn(bundled, Button("q:h:5"), missed)[1] == [Reply("queue/call_expired")]
    assert turn(bundled, Button("q:h:99"), called)[1] == [Reply("queue/call_expired")]

    done = Reader([EntryView(5, OFFICE, "done")])
    state, _ = turn(bundled, Button("q:r:5:4"), done)
    assert state.name == "queue_comment"
    state, actions = turn(bundled, Text("muito bom"), done, state=state)
    assert state == IDLE and actions[0] == RateAttendance(5, 4, "muito bom")
    rated = Reader([EntryView(5, OFFICE, "done", rated=True)])
    assert turn(bundled, Button("q:r:5:4"), rated)[1] == [Reply("queue/rating_unavailable")]


def test_erasing_the_data_of_someone_in_a_queue_gives_up_the_place_first(
    bundled: Bundled,
) -> None:
    waiting = Reader([EntryView(5, OFFICE, "waiting", position=1)])
    state, _ = turn(bundled, Command("apagar_dados"), waiting)
    _, actions = turn(bundled, Button("ey"), waiting, state=state)
    assert [type(a).__name__ for a in actions] == ["LeaveQueue", "EraseUserData", "Reply"]
    assert actions[0] == LeaveQueue(5)
    # In service (or in no queue): nothing to give up.
    serving = Reader([EntryView(5, OFFICE, "serving")])
    state, _ = turn(bundled, Command("apagar_dados"), serving)
    _, actions = turn(bundled, Button("ey"), serving, state=state)
    assert [type(a).__name__ for a in actions] == ["EraseUserData", "Reply"]
