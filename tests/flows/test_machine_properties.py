"""Random conversations: advance never raises and there is always a way back to the start."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.rendering import Renderer
from flows.events import Attachment, Button, Command, Event, Text, TicketStatusChanged
from flows.machine import COMMANDS, STATES, advance
from flows.ports import Services
from flows.state import IDLE, ConversationState
from knowledge_base.loader import load_knowledge_base
from knowledge_base.triage import Triage

from .conversation import check_turn
from .fakes import NOW, RULES, FakeTickets, FakeTriage, view
from .kb_fixture import build_kb

KB = build_kb()
RENDERER = Renderer(KB)
CODES = ["SEI-7KX3QF", "SUP-22ABCD", "EPR-NOTMNE"]
TICKETS = FakeTickets(
    {"SEI-7KX3QF": view("SEI-7KX3QF"), "SUP-22ABCD": view("SUP-22ABCD", "resolvido")}
)
SERVICES = Services(KB, FakeTriage(RULES), TICKETS, NOW, 1)

texts = st.one_of(
    st.sampled_from([key for key, _ in RULES]),
    st.sampled_from(
        [
            "sim",
            "não",
            "1",
            "2",
            "5",
            "segundo grau",
            "sei",
            "voltar",
            "pular",
            "continuar",
            "confirmar",
            "corrigir",
            "cancelar",
            "maria@ma.gov.br",
            "samop",
            "Maria Souza",
            "O processo sumiu da unidade.",
            "x" * 5000,
            "",
            "não sei",
            "/start",
        ]
    ),
    st.text(max_size=60),
)
buttons = st.one_of(
    st.sampled_from(
        [
            "m:new",
            "m:list",
            "m:help",
            "solved",
            "support",
            "g:1",
            "g:2",
            "back",
            "x",
            "skip",
            "next",
            "ok",
            "fix",
            "use",
            "ey",
            "en",
            "s:0",
            "s:9",
            "o:1",
            "c:2",
            "k:1",
            "f:3",
            "r:",
            "t:",
            "zz:1",
            "r:SEI-7KX3QF:0",
            "r:SUP-22ABCD:4",
            "cy:SEI-7KX3QF",
            "tx:SEI-7KX3QF",
        ]
    ),
    st.text(max_size=20),
)
events: st.SearchStrategy[Event] = st.one_of(
    texts.map(Text),
    buttons.map(Button),
    st.builds(
        Command,
        st.sampled_from([*COMMANDS, "nope"]),
        st.sampled_from(["", *CODES, "lixo <b>"]),
    ),
    st.just(Attachment("f1", "print.png", 1000, "image/png", "photo")),
    st.builds(
        TicketStatusChanged,
        st.sampled_from(CODES),
        st.sampled_from(["resolvido", "em_atendimento"]),
    ),
)


def _offered(actions: list[object]) -> list[str]:
    return [b.data for a in actions for row in getattr(a, "buttons", ()) for b in row]


def _explore(data: st.DataObject, services: Services, renderer: Renderer) -> None:
    state: ConversationState = IDLE
    offered: list[str] = []
    for _ in range(data.draw(st.integers(1, 25), label="turns")):
        # Half the time press a button the bot just offered, as real users mostly do.
        if offered and data.draw(st.booleans(), label="press offered"):
            event: Event = Button(data.draw(st.sampled_from(offered), label="offered"))
        else:
            event = data.draw(events, label="event")
        state, actions = advance(state, event, services)
        check_turn(state, actions, renderer)
        assert len(json.dumps(state.to_dict())) < 100_000
        for way_out in (Command("cancelar"), Command("start")):
            assert advance(state, way_out, services)[0] == IDLE
        offered = _offered(actions) or offered


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_conversations_never_fail_and_can_always_be_left(data: st.DataObject) -> None:
    _explore(data, SERVICES, RENDERER)


REAL_KB = load_knowledge_base(Path(__file__).parents[2] / "knowledge_base")
REAL_SERVICES = Services(REAL_KB, Triage(REAL_KB), TICKETS, NOW, 1)
REAL_RENDERER = Renderer(REAL_KB)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_conversations_on_the_real_knowledge_base(data: st.DataObject) -> None:
    _explore(data, REAL_SERVICES, REAL_RENDERER)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 99)
    | st.text(max_size=12)
    | st.sampled_from(["sei", "eproc-2g", "samop", "1", "2", "SEI-7KX3QF", "anexo", "descricao"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
state_keys = st.sampled_from(
    [
        "offer",
        "step",
        "values",
        "files",
        "prefilled",
        "pending_email",
        "fixing",
        "origin",
        "text",
        "category",
        "grau",
        "article",
        "offers",
        "systems",
        "code",
        "score",
        "resume",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([*STATES, "unknown"]),
    st.dictionaries(state_keys, json_values, max_size=8),
    events,
)
def test_any_saved_state_is_handled_without_error(
    name: str, data: dict[str, object], event: Event
) -> None:
    state, actions = advance(ConversationState(name, data), event, SERVICES)
    check_turn(state, actions, RENDERER)


def _seed_states() -> list[ConversationState]:
    """Valid states from a few scripted conversations, to be damaged one key at a time."""
    script: list[Event] = [
        Text("um processo sumiu"),
        Button("c:0"),
        Text("Maria Souza"),
        Text("a@b.gov.br"),
        Text("a@b.gov.br"),
        Text("O processo sumiu da unidade."),
        Attachment("f", "p.png"),
        Button("next"),
        Button("fix"),
        Command("start"),
        Text("o eproc diz codigo invalido"),
        Button("support"),
        Button("back"),
        Command("start"),
        Text("não consigo fazer login"),
        Button("s:0"),
        Command("apagar_dados"),
        TicketStatusChanged("SUP-22ABCD", "resolvido"),
        Button("r:SUP-22ABCD:4"),
        Command("cancelar", "SEI-7KX3QF"),
    ]
    state, seen = IDLE, []
    for event in script:
        state, _ = advance(state, event, SERVICES)
        seen.append(state)
    return [s for s in seen if s.data]


SEEDS = _seed_states()


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(SEEDS), state_keys, json_values, events)
def test_a_saved_state_with_one_damaged_value_is_handled_without_error(
    seed: ConversationState, key: str, value: object, event: Event
) -> None:
    damaged = ConversationState(seed.name, {**seed.data, key: value})
    state, actions = advance(damaged, event, SERVICES)
    check_turn(state, actions, RENDERER)


def test_seed_states_cover_the_stateful_flows() -> None:
    assert {s.name for s in SEEDS} >= {
        "intake",
        "intake_summary",
        "intake_fix",
        "article",
        "ask_grau",
        "ask_system",
        "erase_confirm",
        "rating_comment",
        "cancel_ticket",
    }


def test_cancel_with_a_second_subject_still_offered_leaves_nothing_in_progress() -> None:
    # Found by the property above: /cancelar kept the offered subject after an article.
    state, _ = advance(IDLE, Text("redistribuição"), REAL_SERVICES)
    state, _ = advance(state, Text("é no sei"), REAL_SERVICES)
    assert state.data["pending"] == "redistribuição"
    state, _ = advance(state, Button("solved"), REAL_SERVICES)
    assert state.data
    assert advance(state, Command("cancelar"), REAL_SERVICES)[0] == IDLE
