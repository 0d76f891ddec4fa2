"""Several users at once, interleaved or in parallel threads: nobody's state or ticket mixes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine
from sqlmodel import Session

from bot.user_turn import Incoming, UserTurn
from flows.events import Button, Text
from storage import StaleConversation

from .driver import SEI_PROBLEM, Chat, all_tickets, stored_attachments, stored_ticket

ROUNDS = 3


def sei_steps(chat: Chat, name: str, email: str) -> list[Callable[[], object]]:
    """The SEI journey as separate turns, so two users' turns can be interleaved."""
    return [
        lambda: chat.say(f"o SEI de {name} não abre o processo da unidade"),
        lambda: chat.tap("SAMOP"),
        lambda: chat.say(name),
        lambda: chat.say(email),
        lambda: chat.say(email),
        lambda: chat.say(f"Processo de {name} sumiu da unidade desde ontem."),
        lambda: chat.attach(f"print-{email}.png"),
        lambda: chat.tap("Continuar"),
        lambda: chat.tap("Confirmar"),
    ]


def portal_steps(chat: Chat, name: str) -> list[Callable[[], object]]:
    """The technical-support journey as separate turns."""
    return [
        lambda: chat.say("/start"),
        lambda: chat.tap("Abrir um chamado"),
        lambda: chat.tap("Suporte técnico"),
        lambda: chat.tap("Consulta Técnica"),
        lambda: chat.say(f"{name} quer saber como pesquisar atendimentos."),
        lambda: chat.tap("Pular"),
        lambda: chat.tap("Confirmar"),
    ]


def test_two_users_interleaved_each_get_their_own_state_and_ticket(
    new_chat: Callable[..., Chat], engine: Engine
) -> None:
    ana, bruno = new_chat(1, "Ana"), new_chat(2, "Bruno")
    ana_steps = sei_steps(ana, "Ana Maria Lima", "ana@ma.gov.br")
    bruno_steps = portal_steps(bruno, "Bruno Costa")

    for turn in range(max(len(ana_steps), len(bruno_steps))):
        if turn < len(ana_steps):
            ana_steps[turn]()
        if turn < len(bruno_steps):
            bruno_steps[turn]()
        if turn == 3:  # mid-way, each conversation holds only its own answers
            ana_data, bruno_data = ana.conversation(), bruno.conversation()
            assert ana_data is not None and bruno_data is not None
            assert ana_data.data["offer"] == "sei"
            assert ana_data.data["values"] == {"orgao": "samop", "nome": "Ana Maria Lima"}
            assert bruno_data.data["offer"] == "suporte-tecnico"
            assert bruno_data.data["values"] == {"category": "consulta-tecnica"}

    ana_ticket = stored_ticket(engine, ana.opened_code())
    bruno_ticket = stored_ticket(engine, bruno.opened_code())
    assert ana_ticket.requester_id == ana.user().id  # type: ignore[union-attr]
    assert bruno_ticket.requester_id == bruno.user().id  # type: ignore[union-attr]
    assert (ana_ticket.fields["nome"], ana_ticket.fields["email"]) == (
        "Ana Maria Lima",
        "ana@ma.gov.br",
    )
    assert bruno_ticket.fields == {
        "descricao": "Bruno Costa quer saber como pesquisar atendimentos."
    }
    assert stored_attachments(engine, bruno_ticket) == []
    assert [a.file_name for a in stored_attachments(engine, ana_ticket)] == [
        "print-ana@ma.gov.br.png"
    ]
    ana.say("/meus_chamados")
    assert bruno_ticket.code not in ana.text
    assert ana.state == bruno.state == "idle"


def test_two_users_in_parallel_threads_each_get_their_own_tickets(
    new_chat: Callable[..., Chat], engine: Engine
) -> None:
    ana, bruno = new_chat(1, "Ana"), new_chat(2, "Bruno")
    start = threading.Barrier(2, timeout=30)

    def run(chat: Chat, journey: Callable[[], list[Callable[[], object]]]) -> list[str]:
        start.wait()
        codes = []
        for _ in range(ROUNDS):
            for step in journey():
                step()
            codes.append(chat.opened_code())
        return codes

    with ThreadPoolExecutor(2) as pool:
        ana_run = pool.submit(run, ana, lambda: sei_steps(ana, "Ana Maria Lima", "ana@ma.gov.br"))
        bruno_run = pool.submit(run, bruno, lambda: portal_steps(bruno, "Bruno Costa"))
        ana_codes, bruno_codes = ana_run.result(timeout=120), bruno_run.result(timeout=120)

    tickets = {t.code: t for t in all_tickets(engine)}
    assert sorted(tickets) == sorted(ana_codes + bruno_codes)
    ana_user, bruno_user = ana.user(), bruno.user()
    assert ana_user is not None and bruno_user is not None
    for code in ana_codes:
        ticket = tickets[code]
        assert (ticket.offer_id, ticket.requester_id) == ("sei", ana_user.id)
        assert ticket.fields["nome"] == "Ana Maria Lima"
        assert len(stored_attachments(engine, ticket)) == 1
    for code in bruno_codes:
        ticket = tickets[code]
        assert (ticket.offer_id, ticket.requester_id) == ("suporte-tecnico", bruno_user.id)
        assert ticket.fields == {"descricao": "Bruno Costa quer saber como pesquisar atendimentos."}
    assert ana.state == bruno.state == "idle"


def test_simultaneous_events_of_one_user_are_both_applied(
    desk: UserTurn, engine: Engine, new_chat: Callable[..., Chat]
) -> None:
    chat = new_chat(1, "Ana")
    chat.say(SEI_PROBLEM)
    first = Incoming(1, 1, "Ana", Button("c:0"))
    second = Incoming(1, 1, "Ana", Text("Ana Maria Lima"))
    stale = []

    def worker() -> None:
        # Like the dispatcher: a lost race rolls back and runs the event again.
        while True:
            try:
                with Session(engine) as session, session.begin():
                    desk.handle(session, second)
                return
            except StaleConversation:
                stale.append(True)

    with Session(engine) as session, session.begin():
        desk.handle(session, first)
        other = threading.Thread(target=worker)
        other.start()
        time.sleep(0.3)  # let the other worker read the conversation and wait for our lock
    other.join(timeout=30)

    assert not other.is_alive()
    # SQLite serialises whole transactions (BEGIN IMMEDIATE); PostgreSQL lets the other worker
    # read the old version, so its save is refused once and the event runs again.
    assert len(stale) <= 1
    conversation = chat.conversation()
    assert conversation is not None
    assert conversation.data["values"] == {"orgao": "samop", "nome": "Ana Maria Lima"}
    assert conversation.data["step"] == 2
    assert conversation.version == 3  # created, then one save per event
