"""News the user did not ask for: status changes, the rating request, coalesced queue positions,
and the command menu set at start."""

from __future__ import annotations

import logging
import re

import pytest
from sqlmodel import Session

from storage import POSITION, rating_of, ticket_by_code
from tests.fake_telegram import FakeTelegramServer

from .conftest import StartBot
from .harness import Person, RunningBot

COMMAND_MENU = [
    {"command": "start", "description": "Começar ou voltar ao menu"},
    {"command": "meus_chamados", "description": "Seus chamados e a situação de cada um"},
    {"command": "chamado", "description": "Detalhes de um chamado: /chamado CÓDIGO"},
    {"command": "cancelar", "description": "Sair do que está em andamento ou cancelar um chamado"},
    {"command": "meus_dados", "description": "Receber os dados que guardamos sobre você"},
    {"command": "apagar_dados", "description": "Apagar os seus dados pessoais"},
    {"command": "ajuda", "description": "Como usar o bot"},
]
POSITION_TEXT = re.compile(r"Chamado (\S+): a sua posição na fila agora é (\d+)º\.")


async def known_person(bot: RunningBot, name: str) -> Person:
    """A user who has greeted the bot (so the store knows them)."""
    person = bot.person(name)
    greeting = await person.say("/start")
    assert greeting.messages
    return person


async def test_status_changes_are_pushed_and_resolved_asks_for_a_rating(bot: RunningBot) -> None:
    ana = await known_person(bot, "Ana")
    code = bot.queue_ticket(ana, "Como pesquiso os atendimentos na Minha Área?")

    bot.move_ticket(code, "em_atendimento")
    taken = await ana.news()
    assert [m.body for m in taken.messages] == [
        f"O seu chamado {code} agora está: Em atendimento.\nDetalhes: /chamado {code}"
    ]

    bot.move_ticket(code, "resolvido")
    resolved = await ana.news()
    [request] = resolved.messages
    assert f"O seu chamado {code} foi resolvido" in request.body
    assert request.button_data() == [f"r:{code}:{n}" for n in range(1, 6)]
    assert resolved.labels == [f"{n} ⭐" for n in range(1, 6)]

    comment = await ana.press("4 ⭐")
    assert "Obrigado pela nota 4" in comment.text
    thanks = await ana.press("Pular")
    assert "Avaliação registrada: 4 de 5" in thanks.text
    with Session(bot.engine) as session:
        ticket = ticket_by_code(session, code=code)
        assert ticket is not None and ticket.id is not None
        rating = rating_of(session, ticket_id=ticket.id)
        assert rating is not None
        assert (rating.score, rating.comment) == (4, None)
    # Both pushes are tied to the ticket in the outbox (a 403 would leave a note on it).
    pushes = [m for m in bot.outbox(ana.id) if m.kind == "status"]
    assert len(pushes) == 2 and {m.ticket_id for m in pushes} == {bot.ticket(code).id}


async def queued_people(bot: RunningBot, *names: str) -> tuple[list[Person], list[str]]:
    """People who greeted the bot, each with a ticket queued one second after the previous."""
    people = [await known_person(bot, name) for name in names]
    codes = []
    for n, person in enumerate(people):
        codes.append(bot.queue_ticket(person, f"Dúvida número {n} sobre a Minha Área"))
        bot.advance(seconds=1)  # distinct ages, so the queue order is the opening order
    return people, codes


def position_messages(bot: RunningBot, person: Person) -> list[tuple[str, int, int]]:
    """(code, position, times edited) of every queue-position message in the chat."""
    found = []
    for message in bot.server.sent_messages(person.id):
        match = POSITION_TEXT.fullmatch(message.body)
        if match:
            found.append((match[1], int(match[2]), len(message.history)))
    return found


async def cancel(person: Person, code: str) -> None:
    """The user cancels their ticket over Telegram (command, then the confirmation button)."""
    confirm = await person.say(f"/cancelar {code}")
    assert "Tem certeza de que deseja cancelar este chamado?" in confirm.text
    done = await person.press("Sim, cancelar o chamado")
    assert f"O chamado {code} foi cancelado" in done.text


async def test_queue_positions_are_pushed_at_most_once_a_minute_by_editing(
    bot: RunningBot,
) -> None:
    people, codes = await queued_people(bot, "Ana", "Bia", "Caio", "Duda", "Eva")
    ana, bia, caio, duda, eva = people

    await cancel(ana, codes[0])
    # Everyone behind the cancelled ticket moved up: one new message each.
    for person, code, position in zip(people[1:], codes[1:], (1, 2, 3, 4), strict=True):
        news = await person.news()
        assert [m.body for m in news.messages] == [
            f"Chamado {code}: a sua posição na fila agora é {position}º."
        ]

    # Two more moves within the minute: nothing new reaches the chats yet.
    await cancel(bia, codes[1])
    await cancel(caio, codes[2])
    # Settled: anything wrongly due at once would have been sent before settle returns.
    for person in (duda, eva):
        await bot.settle(person.id)
    assert position_messages(bot, duda) == [(codes[3], 3, 0)]
    assert position_messages(bot, eva) == [(codes[4], 4, 0)]
    pending = [m for m in bot.outbox() if m.kind == POSITION and m.status == "pending"]
    assert {m.method for m in pending} == {"editMessageText"}

    # A minute after the last position message: one edit each, straight to the latest position.
    bot.advance(seconds=61)
    for person in (duda, eva):
        await bot.settle(person.id)
        assert bot.unseen(person.id) == []  # edited, not sent anew
    assert position_messages(bot, duda) == [(codes[3], 1, 1)]
    assert position_messages(bot, eva) == [(codes[4], 2, 1)]
    edits = [r for r in bot.server.requests_for("editMessageText") if r.status == 200]
    assert len(edits) == 2

    # The next move is held back a minute after that edit in turn.
    await cancel(duda, codes[3])
    await bot.settle(eva.id)
    assert position_messages(bot, eva) == [(codes[4], 2, 1)]
    bot.advance(seconds=61)
    await bot.settle(eva.id)
    assert bot.unseen(eva.id) == []
    assert position_messages(bot, eva) == [(codes[4], 1, 2)]


@pytest.mark.parametrize("leaves", ["cancelled by the user", "taken by an agent"])
async def test_a_ticket_that_left_the_queue_gets_no_stale_position(
    bot: RunningBot, leaves: str
) -> None:
    people, codes = await queued_people(bot, "Ana", "Bia", "Caio")
    ana, bia, caio = people
    await cancel(ana, codes[0])
    for person in (bia, caio):
        await person.news()
    await cancel(bia, codes[1])  # Caio moves up to 1º: an edit waits out the minute

    # ... and Caio's ticket leaves the queue before the minute is over.
    if leaves == "cancelled by the user":
        await cancel(caio, codes[2])
        last = f"O chamado {codes[2]} foi cancelado."
    else:
        bot.move_ticket(codes[2], "em_atendimento")
        last = f"O seu chamado {codes[2]} agora está: Em atendimento."
    bot.advance(seconds=61)
    await bot.settle(caio.id)  # a stale edit kept by mistake would now be due, and sent

    assert position_messages(bot, caio) == [(codes[2], 2, 0)]  # never edited to a false 1º
    assert bot.server.sent_messages(caio.id)[-1].body.startswith(last)


async def test_a_user_erasing_their_data_moves_the_queue_behind_them_up(
    bot: RunningBot,
) -> None:
    people, codes = await queued_people(bot, "Ana", "Bia", "Caio")
    ana, bia, caio = people

    confirm = await bia.say("/apagar_dados")
    assert "Apagar os seus dados pessoais?" in confirm.text
    done = await bia.press("Sim, apagar meus dados")
    assert "os seus dados pessoais foram apagados" in done.text

    # Bia's ticket was cancelled with her data: Caio, behind her, moved up; Ana, ahead, did not.
    news = await caio.news()
    assert [m.body for m in news.messages] == [
        f"Chamado {codes[2]}: a sua posição na fila agora é 2º."
    ]
    await bot.settle(ana.id)
    assert position_messages(bot, ana) == []
    assert bot.ticket(codes[1]).status == "cancelado"


async def test_the_portuguese_command_menu_is_set_at_start(bot: RunningBot) -> None:
    assert bot.server.commands() == COMMAND_MENU
    [call] = bot.server.requests_for("setMyCommands")
    assert call.status == 200


async def test_a_failing_set_my_commands_is_logged_and_not_fatal(
    start_bot: StartBot, fake_telegram: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.telegram.runner")
    fake_telegram.faults.fail_next("setMyCommands", status=500)
    bot = await start_bot()

    assert [r.status for r in bot.server.requests_for("setMyCommands")] == [500]
    assert bot.server.commands() == []
    assert any("setMyCommands failed at start" in r.getMessage() for r in caplog.records)
    ana = bot.person("Ana")
    greeting = await ana.say("/start")
    assert greeting.messages
