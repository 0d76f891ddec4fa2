"""Ticket news and the rating after a ticket is resolved."""

from __future__ import annotations

from flows.actions import CommentRating, RateTicket

from .conversation import Conversation
from .fakes import FakeTickets, view


def test_status_change_is_announced(chat: Conversation) -> None:
    chat.status("SEI-7KX3QF", "aguardando_usuario")
    assert chat.templates == ["ticket_status_changed"]
    assert "agora está: <b>Aguardando a sua resposta</b>" in chat.text()
    assert chat.state.name == "idle"


def test_resolved_ticket_asks_for_a_rating_with_five_buttons(chat: Conversation) -> None:
    chat.status("SEI-7KX3QF", "resolvido")
    assert chat.templates == ["ticket_resolved"]
    assert chat.labels() == ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐"]
    assert chat.state.name == "rating_score"


def test_rating_with_a_comment(chat: Conversation, tickets: FakeTickets) -> None:
    tickets.views = {"SEI-7KX3QF": view("SEI-7KX3QF", "resolvido")}
    chat.status("SEI-7KX3QF", "resolvido")
    chat.tap("5 ⭐")
    assert chat.templates == ["rating_comment"]
    assert chat.actions[0] == RateTicket("SEI-7KX3QF", 5)  # stored at the tap
    chat.say("Atendimento rápido <3")
    assert chat.actions[0] == CommentRating("SEI-7KX3QF", "Atendimento rápido <3")
    assert chat.templates == ["rating_thanks"]
    assert chat.state.name == "idle"


def test_rating_comment_can_be_skipped(chat: Conversation, tickets: FakeTickets) -> None:
    tickets.views = {"SEI-7KX3QF": view("SEI-7KX3QF", "resolvido")}
    chat.status("SEI-7KX3QF", "resolvido")
    assert chat.say("4")[0] == RateTicket("SEI-7KX3QF", 4)
    chat.tap("Pular")
    assert not any(isinstance(a, RateTicket | CommentRating) for a in chat.actions)


def test_other_text_after_the_rating_request_is_a_new_problem(chat: Conversation) -> None:
    chat.status("SEI-7KX3QF", "resolvido")
    chat.say("o portal está fora do ar")
    assert chat.state.name == "intake"


def test_resolution_during_a_form_keeps_the_form_and_rating_returns_to_it(
    chat: Conversation, tickets: FakeTickets
) -> None:
    tickets.views = {"SEI-7KX3QF": view("SEI-7KX3QF", "resolvido")}
    chat.say("o portal está fora do ar")
    form = chat.state
    chat.status("SEI-7KX3QF", "resolvido")
    assert chat.state == form
    chat.tap("3 ⭐")
    chat.tap("Pular")
    assert chat.templates == ["rating_thanks", "intake_field"]
    assert chat.state == form


def test_rating_is_refused_for_a_ticket_not_resolved_or_already_rated(
    chat: Conversation, tickets: FakeTickets
) -> None:
    tickets.views = {
        "SEI-7KX3QF": view("SEI-7KX3QF", "em_atendimento"),
        "SUP-22ABCD": view("SUP-22ABCD", "fechado", rating=4),
    }
    for code in ("SEI-7KX3QF", "SUP-22ABCD", "EPR-NOTMINE"):
        chat.press(f"r:{code}:5")
        assert chat.templates == ["rating_unavailable"], code


def test_malformed_rating_button_is_not_understood(chat: Conversation) -> None:
    chat.press("r:SEI-7KX3QF:9")
    assert chat.templates == ["not_understood", "menu"]


def test_a_second_resolution_while_waiting_asks_about_the_newer_ticket(
    chat: Conversation, tickets: FakeTickets
) -> None:
    tickets.views = {"SUP-22ABCD": view("SUP-22ABCD", "resolvido")}
    chat.status("SEI-7KX3QF", "resolvido")
    chat.status("SUP-22ABCD", "resolvido")
    assert chat.say("5")[0] == RateTicket("SUP-22ABCD", 5)
