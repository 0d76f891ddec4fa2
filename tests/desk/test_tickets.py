"""The user's tickets through the desk: list, details, cancelling, and the rating."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from .driver import (
    SEI_PROBLEM,
    Chat,
    Clock,
    move_ticket,
    open_support_ticket,
    stored_events,
    stored_rating,
    stored_ticket,
)

QUESTION = "Como pesquiso os atendimentos na Minha Área?"


def test_my_tickets_lists_the_users_tickets_with_their_status(
    new_chat: Callable[..., Chat], engine: Engine
) -> None:
    ana, bruno = new_chat(1), new_chat(2)
    first = open_support_ticket(ana, "Consulta Técnica", QUESTION)
    second = open_support_ticket(ana, "Defeitos (sem", "O botão de anexar dá erro às vezes.")
    other = open_support_ticket(bruno, "Consulta Técnica", QUESTION)
    move_ticket(engine, first, "em_atendimento")

    ana.say("/meus_chamados")

    assert f"{first} · Suporte técnico" in ana.text
    assert "Consulta Técnica · Em atendimento" in ana.text
    assert f"{second} · Suporte técnico" in ana.text
    assert "Defeitos (sem Paralisação de Serviço) · Novo (na fila) · 2º na fila" in ana.text
    assert other not in ana.text  # though it is ahead in the queue (more urgent category)
    assert [data for _, data in ana.buttons] == [f"t:{second}", f"t:{first}"]


def test_my_tickets_without_tickets_says_so(chat: Chat) -> None:
    chat.say("/meus_chamados")
    assert "Você ainda não tem chamados" in chat.text


def test_ticket_details_show_history_and_queue_position_to_the_owner(
    chat: Chat, clock: Clock
) -> None:
    code = open_support_ticket(chat, "Consulta Técnica", QUESTION)
    prefix, suffix = code.split("-")

    chat.say(f"/chamado {prefix.lower()} {suffix.lower()}")

    assert f"Chamado {code}" in chat.text
    assert "Situação: Novo (na fila)" in chat.text
    assert "Aberto em: 02/06/2025 às 09:00" in chat.text
    assert "Posição na fila: 1º" in chat.text
    assert "Histórico" in chat.text
    assert "02/06/2025 às 09:00: Novo (na fila)" in chat.text
    assert chat.labels == [f"Cancelar o chamado {code}"]


def test_another_users_ticket_code_is_not_shown(
    new_chat: Callable[..., Chat], engine: Engine
) -> None:
    owner, stranger = new_chat(1, "Ana"), new_chat(2, "Bruno")
    code = open_support_ticket(owner, "Consulta Técnica", QUESTION)

    stranger.say(f"/chamado {code}")

    assert f"Não encontrei um chamado seu com o código {code}" in stranger.text
    assert "Suporte técnico" not in stranger.text
    assert "Posição na fila" not in stranger.text
    stranger.say(f"/cancelar {code}")
    assert "Não encontrei um chamado seu" in stranger.text
    assert stranger.buttons == []
    stranger.send_button(f"tx:{code}")
    stranger.send_button(f"cy:{code}")
    assert stored_ticket(engine, code).status == "novo"


@pytest.mark.parametrize("how", ["command", "menu"])
def test_cancelling_an_open_ticket_after_confirmation_sets_it_cancelado(
    chat: Chat, engine: Engine, clock: Clock, how: str
) -> None:
    code = open_support_ticket(chat, "Consulta Técnica", QUESTION)
    clock.advance(minutes=30)

    if how == "command":
        chat.say(f"/cancelar {code}")
    else:
        chat.say("/cancelar")
        assert "Quer cancelar um dos seus chamados abertos?" in chat.text
        chat.tap(f"Cancelar o chamado {code}")
    assert "Tem certeza de que deseja cancelar este chamado?" in chat.text
    assert stored_ticket(engine, code).status == "novo"
    chat.tap("Sim, cancelar o chamado")

    assert f"O chamado {code} foi cancelado" in chat.text
    ticket = stored_ticket(engine, code)
    assert (ticket.status, ticket.closed_at) == ("cancelado", clock.now)
    last = stored_events(engine, ticket)[-1]
    assert (last.from_status, last.to_status, last.actor) == ("novo", "cancelado", "user")
    chat.say(f"/cancelar {code}")
    assert "não pode mais ser cancelado" in chat.text


def test_declining_the_cancellation_keeps_the_ticket_open(chat: Chat, engine: Engine) -> None:
    code = open_support_ticket(chat, "Consulta Técnica", QUESTION)
    chat.say(f"/cancelar {code}")
    chat.say("não")

    assert f"o chamado {code} continua aberto" in chat.text
    assert stored_ticket(engine, code).status == "novo"
    assert chat.state == "idle"


def test_cancelling_a_ticket_in_the_middle_of_a_form_returns_to_the_form(
    chat: Chat, engine: Engine
) -> None:
    code = open_support_ticket(chat, "Consulta Técnica", QUESTION)
    chat.say(SEI_PROBLEM)
    chat.tap("SAMOP")
    chat.say(f"/cancelar {code}")
    chat.tap("Sim, cancelar o chamado")

    assert stored_ticket(engine, code).status == "cancelado"
    assert "2/5 · Nome completo" in chat.text
    assert chat.state == "intake"


@pytest.mark.parametrize("comment", ["Resolveram rápido, obrigada!", None])
def test_rating_a_resolved_ticket_stores_score_and_comment(
    chat: Chat, engine: Engine, clock: Clock, comment: str | None
) -> None:
    code = open_support_ticket(chat, "Consulta Técnica", QUESTION)
    clock.advance(hours=1)
    move_ticket(engine, code, "em_atendimento", "resolvido", now=clock.now)

    chat.status(code, "resolvido")
    assert f"O seu chamado {code} foi resolvido" in chat.text
    assert chat.labels == ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐"]
    chat.tap("4 ⭐")
    assert "Obrigado pela nota 4!" in chat.text
    if comment is None:
        chat.tap("Pular")
    else:
        chat.say(comment)

    assert "Avaliação registrada: 4 de 5" in chat.text
    ticket = stored_ticket(engine, code)
    rating = stored_rating(engine, ticket)
    assert rating is not None
    assert (rating.score, rating.comment, rating.created_at) == (4, comment, clock.now)
    assert stored_events(engine, ticket)[-1].kind == "rating"
    assert chat.state == "idle"
    chat.say(f"/chamado {code}")
    assert "Sua avaliação: 4 de 5" in chat.text


def test_a_typed_score_rates_and_a_second_rating_is_refused(chat: Chat, engine: Engine) -> None:
    code = open_support_ticket(chat, "Consulta Técnica", QUESTION)
    move_ticket(engine, code, "resolvido")
    chat.status(code, "resolvido")
    chat.say("5")
    chat.say("pular")
    assert stored_rating(engine, stored_ticket(engine, code)) is not None

    chat.send_button(f"r:{code}:1")

    assert "Não é possível avaliar o chamado" in chat.text
    rating = stored_rating(engine, stored_ticket(engine, code))
    assert rating is not None
    assert rating.score == 5


def test_rating_request_during_a_form_keeps_the_form(chat: Chat, engine: Engine) -> None:
    code = open_support_ticket(chat, "Consulta Técnica", QUESTION)
    move_ticket(engine, code, "resolvido")
    chat.say(SEI_PROBLEM)
    chat.status(code, "resolvido")
    assert chat.state == "intake"

    chat.tap("3 ⭐")
    chat.tap("Pular")

    assert "1/5 · Órgão Vinculado" in chat.text
    assert chat.state == "intake"
    rating = stored_rating(engine, stored_ticket(engine, code))
    assert rating is not None
    assert rating.score == 3


def test_the_rating_is_stored_at_the_tap_even_if_the_user_never_comments(
    chat: Chat, engine: Engine
) -> None:
    code = open_support_ticket(chat, "Consulta Técnica", QUESTION)
    move_ticket(engine, code, "resolvido")
    chat.status(code, "resolvido")

    chat.tap("5 ⭐")  # and the user leaves

    assert chat.state == "rating_comment"
    rating = stored_rating(engine, stored_ticket(engine, code))
    assert rating is not None
    assert (rating.score, rating.comment) == (5, None)


def test_a_comment_after_the_ticket_was_reopened_joins_the_rating_given(
    chat: Chat, engine: Engine
) -> None:
    code = open_support_ticket(chat, "Consulta Técnica", QUESTION)
    move_ticket(engine, code, "resolvido")
    chat.status(code, "resolvido")
    chat.tap("5 ⭐")
    move_ticket(engine, code, "em_atendimento")  # the agent reopens it meanwhile

    chat.say("Ótimo atendimento")

    assert "Avaliação registrada: 5 de 5" in chat.text
    assert chat.state == "idle"
    rating = stored_rating(engine, stored_ticket(engine, code))
    assert rating is not None
    assert (rating.score, rating.comment) == (5, "Ótimo atendimento")


def test_other_status_news_is_announced_and_the_form_continues(chat: Chat, engine: Engine) -> None:
    code = open_support_ticket(chat, "Consulta Técnica", QUESTION)
    move_ticket(engine, code, "em_atendimento")
    chat.say(SEI_PROBLEM)
    chat.tap("SAMOP")

    chat.status(code, "em_atendimento")

    assert code in chat.text
    assert "Em atendimento" in chat.text
    assert chat.buttons == []
    chat.say("Maria da Conceição Souza")
    assert "3/5 · Email" in chat.text
