"""The seed journeys over Telegram: inline keyboards, answered callbacks, tickets in the store."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest

from storage import attachments_of

from .conftest import StartBot
from .harness import RunningBot

BOTH_STORES = pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
SEI_PROBLEM = "um processo sumiu da minha unidade no SEI"
PDF = b"%PDF-1.4\n% print da tela do SEI\n"


@BOTH_STORES
async def test_invalid_authentication_code_is_solved_by_the_article(bot: RunningBot) -> None:
    ana = bot.person("Ana")

    article = await ana.say("O eproc fala que o código de autenticação é inválido, o que eu faço?")

    assert len(article.messages) >= 2  # title and body parts, the buttons on the last one
    assert "Código de autenticação inválido" in article.messages[0].body
    assert "obter a hora automaticamente pela rede" in article.text
    assert all(not m.inline_keyboard for m in article.messages[:-1])
    # Then one button per "Veja também" article (issue 10).
    assert article.labels[:2] == ["✅ Resolveu", "Não resolveu, falar com o suporte"]
    assert all(label.startswith("📎 ") for label in article.labels[2:])
    solved = await ana.press("Resolveu")
    assert "Que bom que resolveu" in solved.text
    assert bot.tickets() == []
    # Every button press was answered, and before the reply it caused.
    answers = bot.server.requests_for("answerCallbackQuery")
    assert [r.status for r in answers] == [200]


@BOTH_STORES
async def test_second_grau_redistribution_error_opens_an_eproc_2g_tramitacao_ticket(
    bot: RunningBot,
) -> None:
    bruno = bot.person("Bruno")

    await bruno.say("sou do 2º grau e a redistribuição do recurso deu erro no eproc")
    summary = await bruno.press("Usar a mensagem que enviei")
    assert "Categoria: Tramitação processual" in summary.text
    opened = await bruno.press("Confirmar")

    code = opened.opened_code()
    assert code.startswith(f"{bot.app.kb.offers['eproc-2g'].code_prefix}-")
    assert "Posição na fila: 1º" in opened.text
    assert f"/chamado {code}" in opened.text
    ticket = bot.ticket(code)
    # The catalog gives eproc no resolution target (only where the source states one), so the
    # reply promises none and the ticket has no due time.
    assert "Prazo de solução" not in opened.text
    assert ticket.due_at is None
    assert (ticket.offer_id, ticket.category, ticket.status) == ("eproc-2g", "tramitacao", "novo")
    assert ticket.requester_id == bot.user_row(bruno).id
    assert len(bot.server.callback_answers) == 2


@BOTH_STORES
async def test_sei_ticket_with_every_field_and_a_document(bot: RunningBot) -> None:
    carla = bot.person("Carla", last_name="Souza")

    await carla.say(SEI_PROBLEM)
    await carla.press("SAMOP")
    await carla.say("Carla da Conceição Souza")
    again = await carla.say("carla.souza@ma.gov.br")
    assert "mais uma vez" in again.text
    await carla.say("carla.souza@ma.gov.br")
    asked_file = await carla.say("O processo 2025.123 sumiu da unidade SEAD desde ontem.")
    assert asked_file.messages, "the bot asks for the attachment"
    await carla.send_document(PDF, "print-da-tela.pdf")
    summary = await carla.press("Continuar")
    assert "Prazo de solução: até 5 dias" in summary.text
    opened = await carla.press("Confirmar")

    code = opened.opened_code()
    assert "Prazo de solução: até 5 dias" in opened.text
    ticket = bot.ticket(code)
    assert ticket.offer_id == "sei"
    assert ticket.fields == {
        "orgao": "SAMOP",
        "nome": "Carla da Conceição Souza",
        "email": "carla.souza@ma.gov.br",
        "descricao": "O processo 2025.123 sumiu da unidade SEAD desde ontem.",
    }
    assert ticket.due_at is not None
    assert ticket.due_at - ticket.created_at == timedelta(days=5)
    upload = next(m for m in bot.server.chat_messages(carla.id) if m.document is not None)
    with bot.session() as session:
        stored = [
            (a.file_id, a.file_name, a.size, a.kind)
            for a in attachments_of(session, ticket_id=ticket.id or 0)
        ]
    assert upload.document is not None
    assert stored == [(upload.document["file_id"], "print-da-tela.pdf", len(PDF), "document")]
    assert len(bot.server.callback_answers) == 3


@BOTH_STORES
async def test_portal_out_of_service_is_a_paralysis_defect_due_in_four_hours(
    bot: RunningBot,
) -> None:
    davi = bot.person("Davi")

    turn = await davi.say("o portal está fora do ar")
    if any("Suporte técnico" in label for label in turn.labels):  # it may ask the system first
        turn = await davi.press("Suporte técnico")
    assert "2/3 · Descrição" in turn.text
    await davi.say("Ninguém consegue abrir o formulário de solicitação desde as 9h.")
    summary = await davi.press("Pular")
    assert "Categoria: Defeitos (com Paralisação do Serviço)" in summary.text
    opened = await davi.press("Confirmar")

    code = opened.opened_code()
    assert "até 4 horas corridas" in opened.text
    ticket = bot.ticket(code)
    assert (ticket.offer_id, ticket.category) == ("suporte-tecnico", "defeito-com-paralisacao")
    assert ticket.due_at is not None
    assert ticket.due_at - ticket.created_at == timedelta(hours=4)
    assert ticket.priority == 1


@BOTH_STORES
async def test_support_problem_aimed_at_infoeproc_is_redirected(bot: RunningBot) -> None:
    elisa = bot.person("Elisa")

    redirect = await elisa.say("abri chamado no infoeproc porque não consigo logar no eproc")
    assert "NÃO se destina a pedido de suporte" in redirect.text
    await elisa.press("1º grau ou Colégio Recursal")
    await elisa.press("Acesso")
    await elisa.press("Usar a mensagem que enviei")
    opened = await elisa.press("Confirmar")

    ticket = bot.ticket(opened.opened_code())
    assert (ticket.offer_id, ticket.category) == ("eproc-1g", "acesso")
    assert [t.offer_id for t in bot.tickets()] == ["eproc-1g"]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_mode_answers_the_same_journey(start_bot: StartBot) -> None:
    port = free_port()
    bot = await start_bot(
        environ={
            "TRIAGEM_TELEGRAM__MODE": "webhook",
            "TRIAGEM_TELEGRAM__WEBHOOK_URL": f"http://127.0.0.1:{port}",
            "TRIAGEM_TELEGRAM__WEBHOOK_HOST": "127.0.0.1",
            "TRIAGEM_TELEGRAM__WEBHOOK_PORT": str(port),
            "TRIAGEM_TELEGRAM__WEBHOOK_SECRET": "segredo-de-teste_123",
        }
    )
    ana = bot.person("Ana")

    article = await ana.say("O eproc fala que o código de autenticação é inválido, o que eu faço?")
    assert "Código de autenticação inválido" in article.messages[0].body
    solved = await ana.press("Resolveu")

    assert "Que bom que resolveu" in solved.text
    deliveries = bot.server.webhook.deliveries
    assert len(deliveries) == 2 and {d.status for d in deliveries} == {200}
    assert bot.server.requests_for("getUpdates") == []
