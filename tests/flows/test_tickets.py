"""The user's tickets: list, details, owner-only access and cancelling with confirmation."""

from __future__ import annotations

from flows.actions import CancelTicket
from flows.my_tickets import ticket_opened_reply

from .conversation import Conversation
from .fakes import FakeTickets, view


def test_my_tickets_lists_each_with_status_and_a_details_button(
    chat: Conversation, tickets: FakeTickets
) -> None:
    tickets.views = {
        "SEI-7KX3QF": view("SEI-7KX3QF"),
        "SUP-22ABCD": view("SUP-22ABCD", "resolvido"),
    }
    chat.command("meus_chamados")
    text = chat.text()
    assert "<code>SEI-7KX3QF</code> · Helpdesk do SEI · <b>Novo (na fila)</b> · 3º na fila" in text
    assert "<b>Resolvido</b>" in text
    assert sorted(b.data for b in chat.buttons()) == ["t:SEI-7KX3QF", "t:SUP-22ABCD"]


def test_my_tickets_when_there_are_none(chat: Conversation) -> None:
    chat.command("meus_chamados")
    assert "Você ainda não tem chamados" in chat.text()


def test_ticket_details_show_history_queue_and_due_time(
    chat: Conversation, tickets: FakeTickets
) -> None:
    tickets.views = {"SEI-7KX3QF": view("SEI-7KX3QF")}
    chat.command("chamado", "sei-7kx3qf")
    text = chat.text()
    assert "Posição na fila: 3º" in text
    assert "Prazo de solução: até 5 dias (até 06/06/2025 às 12:00)" in text
    assert "Aberto em: 02/06/2025 às 09:00" in text
    assert "Pode enviar o print &lt;da tela&gt; &amp; o número?" in text
    assert chat.labels() == ["Cancelar o chamado SEI-7KX3QF"]


def test_ticket_button_shows_details_without_leaving_a_form(
    chat: Conversation, tickets: FakeTickets
) -> None:
    tickets.views = {"SEI-7KX3QF": view("SEI-7KX3QF")}
    chat.say("o portal está fora do ar")
    form = chat.state
    chat.press("t:SEI-7KX3QF")
    assert chat.templates == ["ticket_detail"]
    assert chat.state == form


def test_someone_elses_ticket_is_not_found(chat: Conversation) -> None:
    chat.command("chamado", "EPR-OTHER1")
    assert chat.templates == ["ticket_not_found"]


def test_cancel_an_open_ticket_after_confirmation(chat: Conversation, tickets: FakeTickets) -> None:
    tickets.views = {"SEI-7KX3QF": view("SEI-7KX3QF")}
    chat.command("cancelar", "SEI-7KX3QF")
    assert chat.templates == ["cancel_ticket_confirm"]
    assert not any(isinstance(a, CancelTicket) for a in chat.actions)
    chat.tap("Sim, cancelar")
    assert chat.actions[0] == CancelTicket("SEI-7KX3QF")
    assert chat.templates == ["ticket_cancelled"]
    assert chat.state.name == "idle"


def test_declining_the_cancellation_keeps_the_ticket(
    chat: Conversation, tickets: FakeTickets
) -> None:
    tickets.views = {"SEI-7KX3QF": view("SEI-7KX3QF")}
    chat.command("cancelar", "SEI-7KX3QF")
    chat.say("não")
    assert chat.templates == ["ticket_kept"]
    assert not any(isinstance(a, CancelTicket) for a in chat.actions)


def test_cancel_confirmation_of_another_ticket_does_not_apply(
    chat: Conversation, tickets: FakeTickets
) -> None:
    tickets.views = {"SEI-7KX3QF": view("SEI-7KX3QF"), "SEI-9ZZZZZ": view("SEI-9ZZZZZ")}
    chat.command("cancelar", "SEI-7KX3QF")
    chat.press("cy:SEI-9ZZZZZ")  # an old confirmation message
    assert chat.templates == ["not_understood", "cancel_ticket_confirm"]


def test_resolved_ticket_cannot_be_cancelled(chat: Conversation, tickets: FakeTickets) -> None:
    tickets.views = {"SEI-7KX3QF": view("SEI-7KX3QF", "resolvido")}
    chat.command("cancelar", "SEI-7KX3QF")
    assert chat.templates == ["ticket_not_cancellable"]
    assert "<b>Resolvido</b> e não pode mais ser cancelado" in chat.text()


def test_cancelar_while_idle_offers_the_open_tickets(
    chat: Conversation, tickets: FakeTickets
) -> None:
    tickets.views = {"SEI-7KX3QF": view("SEI-7KX3QF"), "SUP-22ABCD": view("SUP-22ABCD", "fechado")}
    chat.command("cancelar")
    assert chat.templates == ["cancel_choose"]
    assert chat.labels() == ["Cancelar o chamado SEI-7KX3QF"]
    chat.tap("SEI-7KX3QF")
    assert chat.state.name == "cancel_ticket"


def test_cancelar_while_idle_with_nothing_open(chat: Conversation) -> None:
    chat.command("cancelar")
    assert chat.templates == ["cancel_nothing"]


def test_cancelling_a_ticket_mid_form_returns_to_the_form(
    chat: Conversation, tickets: FakeTickets
) -> None:
    tickets.views = {"SEI-7KX3QF": view("SEI-7KX3QF")}
    chat.say("o portal está fora do ar")
    form = chat.state
    chat.press("tx:SEI-7KX3QF")
    chat.tap("Sim, cancelar")
    assert chat.templates == ["ticket_cancelled", "intake_field"]
    assert chat.state == form


def test_ticket_opened_reply_names_code_target_due_time_and_queue(
    chat: Conversation, tickets: FakeTickets
) -> None:
    opened = view(
        "SUP-22ABCD",
        offer_id="suporte-tecnico",
        category="defeito-com-paralisacao",
        history=(),
        queue_position=2,
    )
    reply = ticket_opened_reply(opened, chat.services.kb)
    text = chat.renderer.render(reply.template, reply.params)
    assert "<code>SUP-22ABCD</code>" in text
    assert "<b>Anote o código</b>" in text
    assert "Categoria: Defeitos (com Paralisação do Serviço)" in text
    assert "Prazo de solução: até 4 horas corridas (até 06/06/2025 às 12:00)" in text
    assert "Posição na fila: 2º" in text
