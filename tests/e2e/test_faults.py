"""Telegram misbehaving: a 429 storm with random 5xx, a user who blocked the bot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from sqlmodel import Session, col, select

from storage import TicketEvent, ticket_by_code

from .harness import Person, RunningBot

SLOW_TURN = 30.0  # a turn under faults may wait out several retry_after and backoffs


async def article_solved(person: Person) -> None:
    article = await person.say(
        "O eproc fala que o código de autenticação é inválido, o que eu faço?", SLOW_TURN
    )
    assert "Código de autenticação inválido" in article.messages[0].body
    solved = await person.press("Resolveu", SLOW_TURN)
    assert "Que bom que resolveu" in solved.text


async def portal_ticket(person: Person) -> None:
    turn = await person.say("o portal está fora do ar", SLOW_TURN)
    if any("Suporte técnico" in label for label in turn.labels):
        turn = await person.press("Suporte técnico", SLOW_TURN)
    assert "2/3 · Descrição" in turn.text
    await person.say("Ninguém consegue abrir o formulário desde as 9h.", SLOW_TURN)
    await person.press("Pular", SLOW_TURN)
    opened = await person.press("Confirmar", SLOW_TURN)
    assert "até 4 horas corridas" in opened.text


async def second_grau_ticket(person: Person) -> None:
    await person.say("sou do 2º grau e a redistribuição do recurso deu erro no eproc", SLOW_TURN)
    await person.press("Usar a mensagem que enviei", SLOW_TURN)
    opened = await person.press("Confirmar", SLOW_TURN)
    assert "Posição na fila" in opened.text


async def menu_and_commands(person: Person) -> None:
    for command in ("/start", "/ajuda", "/meus_chamados", "/meus_dados"):
        turn = await person.say(command, SLOW_TURN)
        assert turn.messages, command


Script = Callable[[Person], Awaitable[None]]
SCRIPTS: list[tuple[str, Script]] = [
    ("Ana", article_solved),
    ("Bia", portal_ticket),
    ("Caio", second_grau_ticket),
    ("Duda", menu_and_commands),
    ("Eva", article_solved),
]


async def test_429_storm_and_random_5xx_deliver_everything_once_in_order(
    bot: RunningBot,
) -> None:
    server = bot.server
    people = [(bot.person(name), script) for name, script in SCRIPTS]
    server.faults.storm_429(6, retry_after=1)
    server.faults.random_5xx(0.05, seed=20251122)

    await asyncio.gather(*(script(person) for person, script in people))

    assert server.stats.served_429 > 0 and server.stats.server_errors > 0
    for person, _ in people:
        rows = bot.outbox(person.id)
        assert [row.status for row in rows] == ["sent"] * len(rows)
        # What the chat shows is exactly what the bot queued for it: all, once, in order.
        queued = [row.params["text"] for row in rows if row.method == "sendMessage"]
        sent = server.sent_messages(person.id)
        received = [m.source_text for m in sent if m.method == "sendMessage"]
        assert received == queued, person.user.first_name
        # Files (the data export) once each too; their rows keep nothing once sent.
        files = [row for row in rows if row.method == "sendDocument"]
        assert len([m for m in sent if m.method == "sendDocument"]) == len(files)
        # Every button press was answered once, despite 5xx on answerCallbackQuery too.
        presses = [q for q in server.state.callbacks.values() if q.user.id == person.id]
        assert all(q.answer is not None for q in presses)


async def test_429s_do_not_use_up_the_retries_for_server_errors(bot: RunningBot) -> None:
    # Telegram's 429 is "wait retry_after", not a failed delivery: a message held back by a long
    # flood wait must still get its full share of retries when a 5xx comes after.
    ana = bot.person("Ana")
    bot.server.faults.fail_next("sendMessage", status=429, count=8, retry_after=1)
    bot.server.faults.fail_next("sendMessage", status=502)

    greeting = await ana.say("/start", SLOW_TURN)

    assert greeting.messages
    assert [r.status for r in bot.server.requests_for("sendMessage")][:10] == [429] * 8 + [
        502,
        200,
    ]


async def test_a_user_who_blocked_the_bot_stalls_no_one(bot: RunningBot) -> None:
    server = bot.server
    bot.allow_undelivered = True  # the messages to the blocked user are dropped on purpose
    ana, bia = bot.person("Ana"), bot.person("Bia")
    await ana.say("/start")
    code = bot.queue_ticket(ana, "Como pesquiso os atendimentos na Minha Área?")

    server.block_user(ana.user)
    bot.move_ticket(code, "em_atendimento")  # news for Ana, on her ticket: 403
    bot.move_ticket(code, "aguardando_usuario")  # queued behind it: dropped

    async def bia_converses() -> list[float]:
        took = []
        for text in ("/start", "/ajuda", "/meus_chamados", "/start"):
            started = time.monotonic()
            turn = await bia.say(text)
            took.append(time.monotonic() - started)
            assert turn.messages
        return took

    bia_took, _ = await asyncio.gather(bia_converses(), bot.settle(ana.id))

    # One message a second per chat and nothing more: no waiting on Ana's refusals.
    assert max(bia_took) < 4.0, bia_took
    assert all("agora está" not in m.body for m in server.sent_messages(ana.id))
    pushes = [row for row in bot.outbox(ana.id) if row.kind == "status"]
    assert [row.status for row in pushes] == ["failed", "dropped"]
    assert all("blocked" in (row.error or "") for row in pushes)
    user = bot.user_row(ana)
    assert user.unreachable and user.unreachable_at is not None
    with Session(bot.engine) as session:
        ticket = ticket_by_code(session, code=code)
        assert ticket is not None
        notes = session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "note")
            .order_by(col(TicketEvent.id))
        ).all()
        assert [n.text for n in notes] == ["Forbidden: bot was blocked by the user"]
    # Nothing more is even queued for her while she is unreachable ...
    bot.move_ticket(code, "em_atendimento")
    assert [row.kind for row in bot.outbox(ana.id)].count("status") == 2

    # ... until she writes again (Telegram: she restarted the bot), and is answered.
    back = await ana.say("/meus_chamados")
    assert code in back.text
    assert not bot.user_row(ana).unreachable
