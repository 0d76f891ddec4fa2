"""kill -9 in the middle of a conversation, restart on the same store: nothing lost or doubled.

The bot runs as a child process (`python -m bot run`), exactly as deployed; the test reads its
SQLite file to see when an update is processed and its replies are sent.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from .harness import BotProcess, Person, Turn

SEI_PROBLEM = "um processo sumiu da minha unidade no SEI"
EMAIL = "carla.souza@ma.gov.br"
PDF = b"%PDF-1.4\n% print da tela do SEI\n"
FIELDS = {
    "orgao": "SAMOP",
    "nome": "Carla da Conceição Souza",
    "email": EMAIL,
    "descricao": "O processo 2025.123 sumiu da unidade SEAD desde ontem.",
}
SLOW = 30.0


def in_flight_signal(bot: BotProcess) -> asyncio.Event:
    """Set once a delayed call has reached the fake server (its answer still to come)."""
    event = asyncio.Event()
    faults = bot.server.faults
    delay_for = faults.delay_for

    def spy(method: str) -> float:
        delay = delay_for(method)
        if delay > 0:
            event.set()
        return delay

    faults.delay_for = spy  # type: ignore[method-assign]
    return event


async def start_sei_form(carla: Person) -> Turn:
    """Triage a SEI problem, choose the agency and give the name; the bot asks the e-mail."""
    await carla.say(SEI_PROBLEM, SLOW)
    await carla.press("SAMOP", SLOW)
    return await carla.say(FIELDS["nome"], SLOW)


def assert_one_ticket_and_every_update_once(bot: BotProcess, user_actions: int) -> None:
    [ticket] = bot.tickets()
    assert (ticket.offer_id, ticket.fields) == ("sei", FIELDS)
    inbox = bot.inbox()
    assert len(inbox) == user_actions  # each user message and tap stored once ...
    assert {u.status for u in inbox} == {"done"}  # ... and processed once
    assert all(u.attempts == 0 for u in inbox)


async def test_killed_between_turns_the_form_continues_after_a_restart(
    bot_process: BotProcess,
) -> None:
    bot = bot_process
    await bot.start()
    carla = bot.person("Carla")
    asked = await start_sei_form(carla)
    assert asked.messages

    await bot.kill()
    # The user answers while the bot is down: Telegram keeps the update until it is confirmed.
    bot.server.user_sends_text(carla.user, EMAIL)
    update_id = int(bot.server.pending_updates[-1]["update_id"])
    await bot.start()

    again = await bot.turn(carla.id, update_id, SLOW)
    assert "mais uma vez" in again.text  # the form went on from where it was
    await carla.say(EMAIL, SLOW)
    await carla.say(FIELDS["descricao"], SLOW)
    await carla.send_document(PDF, "print-da-tela.pdf", SLOW)
    await carla.press("Continuar", SLOW)
    opened = await carla.press("Confirmar", SLOW)

    assert opened.opened_code() == bot.tickets()[0].code
    assert_one_ticket_and_every_update_once(bot, user_actions=9)
    bodies = Counter(m.body for m in bot.server.sent_messages(carla.id))
    assert max(bodies.values()) == 1  # nothing was sent twice


async def test_killed_while_the_reply_is_in_flight_no_ticket_is_doubled(
    bot_process: BotProcess,
) -> None:
    bot = bot_process
    await bot.start()
    carla = bot.person("Carla")
    await start_sei_form(carla)
    await carla.say(EMAIL, SLOW)
    await carla.say(EMAIL, SLOW)
    await carla.say(FIELDS["descricao"], SLOW)
    await carla.send_document(PDF, "print-da-tela.pdf", SLOW)
    summary = await carla.press("Continuar", SLOW)

    # "Confirmar": the ticket is opened and its reply is on its way when the bot dies.
    in_flight = in_flight_signal(bot)
    bot.server.faults.latency(2.0, methods=["sendMessage"])
    message, data = summary.button("Confirmar")
    bot.server.user_presses_button(carla.user, message, data)
    await asyncio.wait_for(in_flight.wait(), SLOW)
    await bot.kill()
    bot.server.faults.latency(0.0)
    await bot.start()

    await bot.settle(carla.id, timeout=SLOW)
    replies = bot.unseen(carla.id)
    # The reply whose answer was lost is sent again: Telegram may show it twice (the call had
    # taken effect), never zero times. The ticket itself exists once.
    assert 1 <= len(replies) <= 2
    assert len({m.body for m in replies}) == 1
    assert Turn(replies[:1]).opened_code() == bot.tickets()[0].code
    assert_one_ticket_and_every_update_once(bot, user_actions=9)
    # The conversation goes on with the restarted bot.
    listing = await carla.say("/meus_chamados", SLOW)
    assert bot.tickets()[0].code in listing.text
