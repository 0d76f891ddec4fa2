"""The attendants' commands are rows of the agents' command table, pure: no database."""

from __future__ import annotations

from bot.agents.commands import BY_NAME, may_run, menu
from bot.agents.desk_actions import AtCounter, Say
from storage import Role
from tests.agents.test_decisions import FakeReader, view


def test_proximo_encerrar_and_fila_hand_the_office_queues_to_the_counter() -> None:
    proximo, encerrar = BY_NAME["proximo"], BY_NAME["encerrar"]
    assert (proximo.needs_ticket, proximo.args, proximo.role) == (
        False,
        "[CARTÓRIO] [LINK]",
        Role.AGENT,
    )
    assert (proximo.action, encerrar.action) == ("queue_proximo", "queue_encerrar")
    link = "https://teams.microsoft.com/l/x"
    assert proximo.handler(view(None), f"cartorio-2 {link}") == [
        AtCounter("proximo", f"cartorio-2 {link}")
    ]
    assert encerrar.handler(view(None), "") == [AtCounter("encerrar", "")]
    # /fila: the tickets' queues first, then the offices' (in a group serving offices).
    *tickets, offices = BY_NAME["fila"].handler(view(None, reader=FakeReader()), "")
    assert isinstance(tickets[0], Say) and offices == AtCounter("fila", "")


def test_every_agent_sees_them_in_the_menu_and_help() -> None:
    assert all(may_run(BY_NAME[n], Role.AGENT) for n in ("proximo", "encerrar", "fila"))
    names = [name for name, _ in menu(Role.AGENT)]
    assert {"proximo", "encerrar", "fila"} <= set(names)
    [shown] = BY_NAME["ajuda"].handler(view(None), "")
    assert isinstance(shown, Say)
    assert {"name": "proximo", "args": "[CARTÓRIO] [LINK]", "ticket": False} in shown.params[
        "commands"
    ]
