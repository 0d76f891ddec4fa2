"""Queue position in the replies: by priority of the category, then by age, within an offer."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import Engine

from .driver import Chat, Clock, move_ticket, open_sei_ticket, open_support_ticket

POSITION = re.compile(r"Posição na fila: (\d+)º")


def position(chat: Chat) -> int | None:
    """The queue position the last answer shows, if any."""
    found = POSITION.findall(chat.text)
    assert len(found) <= 1, chat.text
    return int(found[0]) if found else None


def position_of(chat: Chat, code: str) -> int | None:
    """The position /chamado shows for one of the user's tickets."""
    chat.say(f"/chamado {code}")
    return position(chat)


def test_the_third_ticket_of_an_offer_is_third_and_a_more_urgent_one_jumps_ahead(
    new_chat: Callable[..., Chat], clock: Clock
) -> None:
    users = [new_chat(n, f"Pessoa {n}") for n in range(1, 6)]
    codes = []
    for user in users[:3]:
        clock.advance(minutes=1)
        codes.append(open_support_ticket(user, "Consulta Técnica", "Como uso a Minha Área?"))
        expected = len(codes)
        assert position(user) == expected
    assert "Posição na fila: 3º" in users[2].text

    clock.advance(minutes=1)
    urgent = open_support_ticket(users[3], "Defeitos (com", "O portal está fora do ar.")
    assert position(users[3]) == 1
    clock.advance(minutes=1)
    open_support_ticket(users[4], "Defeitos (sem", "O botão de anexar falha às vezes.")
    assert position(users[4]) == 5

    assert [position_of(u, c) for u, c in zip(users, codes, strict=False)] == [2, 3, 4]
    assert position_of(users[3], urgent) == 1


def test_tickets_leaving_the_queue_move_the_others_up(
    new_chat: Callable[..., Chat], engine: Engine, clock: Clock
) -> None:
    first, second = new_chat(1), new_chat(2)
    taken = open_support_ticket(first, "Consulta Técnica", "Como uso a Minha Área?")
    clock.advance(minutes=1)
    waiting = open_support_ticket(second, "Consulta Técnica", "Como pesquiso atendimentos?")
    assert position(second) == 2

    move_ticket(engine, taken, "em_atendimento")

    assert position_of(second, waiting) == 1
    assert position_of(first, taken) is None
    assert "Situação: Em atendimento" in first.text


def test_other_offers_do_not_count_in_the_queue(
    new_chat: Callable[..., Chat], clock: Clock
) -> None:
    support, sei = new_chat(1), new_chat(2)
    open_support_ticket(support, "Consulta Técnica", "Como uso a Minha Área?")
    clock.advance(minutes=1)
    open_sei_ticket(sei)

    assert position(sei) == 1
