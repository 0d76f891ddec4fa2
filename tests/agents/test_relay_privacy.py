"""A CPF a user types while an agent attends: hidden in the stored update and in the relay."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.tables import InboxUpdate
from tests.in_process_bot import ALSO_ON_POSTGRESQL

from .flows import open_eproc_ticket
from .harness import DeskBot

CPF = "123.456.789-09"


@ALSO_ON_POSTGRESQL
async def test_a_cpf_sent_to_the_agents_is_stored_and_relayed_masked(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    bruno = desk.user("Bruno")
    code = await open_eproc_ticket(desk, bruno)
    thread = desk.ticket(code).topic_thread_id
    [card] = desk.in_topic(thread)
    desk.server.user_presses_button(ana, card, f"d:take:{code}")
    await desk.settle()

    desk.server.user_sends_text(bruno, f"meu CPF é {CPF}, o login continua bloqueado")
    await desk.settle()

    relayed = desk.in_topic(thread)[-1]
    assert "Bruno" in relayed.body and "o login continua bloqueado" in relayed.body
    assert CPF not in relayed.body and "***.***.***-**" in relayed.body
    assert not any(CPF in (event.text or "") for event in desk.history(code))
    with Session(desk.engine) as session:
        payloads = [str(row.payload) for row in session.exec(select(InboxUpdate))]
    assert any("o login continua bloqueado" in p for p in payloads)
    assert not any(CPF in p for p in payloads)
