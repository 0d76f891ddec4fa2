"""The Balcão Virtual asked for in people's own words, pure: the bare name offers both ways, a
request to be attended goes to the office choice, an hours question shows the offices' hours,
and a question about how it works keeps its article."""

from __future__ import annotations

import pytest

from bot.rendering import Renderer
from flows.actions import Reply
from flows.events import Button, Text
from flows.machine import advance
from flows.ports import Services
from flows.state import IDLE
from knowledge_base.loader import load_knowledge_base
from knowledge_base.triage import Triage
from tests.live_queue.harness import queue_kb

from .test_office_queue import MONDAY_10H, OFFICE, SUNDAY, Bundled, NoTickets, Reader, bundled, turn

__all__ = ["bundled"]


@pytest.fixture(scope="module")
def offices(tmp_path_factory: pytest.TempPathFactory) -> Bundled:
    """The bundled knowledge base with three offices (two 'Vara Cível' ones)."""
    kb = load_knowledge_base(queue_kb(tmp_path_factory.mktemp("offices")))
    return kb, Triage(kb), Renderer(kb)


def replies(bundled: Bundled, text: str, reader: Reader | None = None) -> list[Reply]:
    _, actions = turn(bundled, Text(text), reader or Reader())
    return [a for a in actions if isinstance(a, Reply)]


@pytest.mark.parametrize(
    "text",
    [
        "Balcão Virtual",
        "balcão virtual",
        "balcão",
        "Balcao!",
        "balcão virtual?",
        "oi, balcão virtual por favor",
    ],
)
def test_the_bare_name_offers_to_join_a_queue_or_to_learn_how_it_works(
    offices: Bundled, text: str
) -> None:
    [ways] = replies(offices, text)
    assert ways.template == "queue/ways"
    [[join], [how]] = ways.buttons
    assert join.data == "q:c:balcao-virtual" and how.data == "q:a:balcao-virtual-acesso"
    # "Quero ser atendido(a)": the office list (three offices); "Como funciona": the article.
    [listed] = [a for a in turn(offices, Button(join.data), Reader())[1] if isinstance(a, Reply)]
    assert listed.template == "queue/offices" and len(listed.params["offices"]) == 3
    state, _ = turn(offices, Button(how.data), Reader())
    assert (state.name, state.data["article"]) == ("article", "balcao-virtual-acesso")


def test_with_one_office_joining_from_the_two_ways_shows_its_welcome(bundled: Bundled) -> None:
    [ways] = replies(bundled, "Balcão Virtual")
    [welcome] = turn(bundled, Button(ways.buttons[0][0].data), Reader())[1]
    assert isinstance(welcome, Reply) and welcome.template == "queue/welcome"
    assert welcome.buttons[0][0].data == f"q:j:{OFFICE}"


@pytest.mark.parametrize(
    "text",
    [
        "atendimento online com o cartório",
        "quero ser atendido pelo balcão virtual",
        "quero entrar na fila do balcão virtual",
        "entrar no balcão virtual",
        "preciso falar com o ofício judicial por vídeo",
        "videochamada com a vara",
        "quero falar com a secretaria da vara",
        "atendimento online com a secretaria da vara",
        "chamada de vídeo com o cartório",
        "quero falar com um atendente do balcão virtual",
    ],
)
def test_a_request_to_be_attended_gets_the_office_choice_not_an_article(
    offices: Bundled, bundled: Bundled, text: str
) -> None:
    [listed] = replies(offices, text)
    assert listed.template == "queue/offices"
    # No office is named: the list has no "não encontrei o cartório 'atendido pelo'".
    assert listed.params["typed"] == "" and len(listed.params["offices"]) == 3
    # With the one bundled office, its welcome and "Entrar na fila" at once.
    [welcome] = replies(bundled, text)
    assert welcome.template == "queue/welcome"


@pytest.mark.parametrize(
    ("text", "office"),
    [
        ("quero falar com o cartório da 2ª vara cível", "Cartório da 2ª Vara Cível"),
        ("atendimento online com a 3a vara civel", "Cartório da 3ª Vara Cível"),
        (
            "balcão virtual da coordenadoria de entrada",
            "Coordenadoria de Entrada e Distribuição de Recursos",
        ),
    ],
)
def test_an_office_named_gets_its_own_screen(offices: Bundled, text: str, office: str) -> None:
    [screen] = replies(offices, text)
    assert screen.template in ("queue/welcome", "queue/closed")
    assert screen.params["office"] == office


def test_several_offices_matching_make_a_short_list(offices: Bundled) -> None:
    [listed] = replies(offices, "quero falar com a vara cível pelo balcão virtual")
    assert listed.template == "queue/offices"
    assert listed.params["offices"] == ["Cartório da 2ª Vara Cível", "Cartório da 3ª Vara Cível"]


@pytest.mark.parametrize(
    "text",
    [
        "qual o horário do balcão virtual",
        "qual o horário de atendimento do balcão virtual?",
        "que horas abre o balcão virtual?",
        "o balcão virtual atende no sábado?",
        "onde vejo se o balcão virtual está atendendo hoje?",
    ],
)
def test_an_hours_question_shows_each_office_s_hours(offices: Bundled, text: str) -> None:
    [hours] = replies(offices, text)
    assert hours.template == "queue/hours"
    shown = {o["office"]: o["open"] for o in hours.params["offices"]}
    # Monday 10:00: the 3ª Vara Cível opens at 13:00.
    assert shown == {
        "Coordenadoria de Entrada e Distribuição de Recursos": True,
        "Cartório da 2ª Vara Cível": True,
        "Cartório da 3ª Vara Cível": False,
    }
    assert hours.buttons[-1][0].data == "q:a:balcao-virtual-horario"


def test_on_sunday_the_hours_say_when_each_office_opens(offices: Bundled) -> None:
    _, actions = turn(offices, Text("qual o horário do balcão virtual?"), Reader(), SUNDAY)
    [hours] = actions
    assert isinstance(hours, Reply)
    assert all(not o["open"] and o["next_opening"] for o in hours.params["offices"])


@pytest.mark.parametrize(
    ("text", "article"),
    [
        ("como funciona o balcão virtual?", "balcao-virtual"),
        ("o que é o balcão virtual", "balcao-virtual-acesso"),
        ("o que é o balcão virtual?", "balcao-virtual-acesso"),
        (
            "entrei no balcão virtual e diz que o atendimento ainda não começou",
            "balcao-virtual-horario",
        ),
        (
            "o navegador pediu permissão pro microfone no balcão virtual, preciso aceitar?",
            "balcao-virtual-acesso",
        ),
        ("o balcão virtual não abre", "balcao-virtual"),
    ],
)
def test_how_it_works_questions_keep_the_articles(
    offices: Bundled, text: str, article: str
) -> None:
    state, actions = turn(offices, Text(text), Reader())
    assert state.name == "article", actions
    assert state.data["article"].startswith(article)


def test_without_a_live_queue_the_articles_answer_as_before(offices: Bundled) -> None:
    kb, triage, _ = offices
    services = Services(kb, triage, NoTickets(), MONDAY_10H, 1, None)  # type: ignore[arg-type]
    for text in ("Balcão Virtual", "qual o horário do balcão virtual"):
        assert advance(IDLE, Text(text), services)[0].name == "article"
