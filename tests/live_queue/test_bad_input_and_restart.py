"""Bad input gets a polite answer and changes nothing; a restart in a call window loses nothing."""

from __future__ import annotations

from datetime import timedelta

from tests.in_process_bot import ALSO_ON_POSTGRESQL

from .conftest import StartQueue
from .harness import QueueBot


async def test_an_office_that_does_not_exist_gets_the_list_to_choose_from(queue: QueueBot) -> None:
    maria = queue.user("Maria")
    queue.server.user_sends_text(maria, "quero falar com o cartório da 9ª vara criminal")
    await queue.settle()
    listing = queue.last(maria)
    assert "Não encontrei um cartório do Balcão Virtual com o nome “9a criminal”" in listing.body
    assert listing.button_data() == [
        "q:o:coord-entrada-distribuicao-recursos",
        "q:o:cartorio-2-vara-civel",
        "q:o:cartorio-3-vara-civel",
    ]
    queue.server.user_sends_text(maria, "2")  # typed choice from the list
    await queue.settle()
    assert "Você está em: Cartório da 2ª Vara Cível" in queue.last(maria).body
    assert queue.entries() == []


async def test_several_matching_offices_make_a_short_list(queue: QueueBot) -> None:
    maria = queue.user("Maria")
    queue.server.user_sends_text(maria, "atendimento online com o cartório da vara cível")
    await queue.settle()
    assert queue.last(maria).button_data() == [
        "q:o:cartorio-2-vara-civel",
        "q:o:cartorio-3-vara-civel",
    ]


async def test_one_place_per_person_and_leaving_without_a_place(queue: QueueBot) -> None:
    maria = queue.user("Maria")
    await queue.join(maria)
    queue.server.user_presses_button(
        maria, queue.with_button(maria, "q:j:cartorio-2-vara-civel"), "q:j:cartorio-2-vara-civel"
    )
    await queue.settle()
    assert "Você já está na fila" in queue.texts(maria)[-2]
    assert len(queue.entries()) == 1
    queue.server.user_sends_text(maria, "sair da fila")
    queue.server.user_sends_text(maria, "sair da fila")
    await queue.settle()
    assert "Você não está em nenhuma fila" in queue.texts(maria)[-1]
    assert [e.status for e in queue.entries()] == ["left"]


@ALSO_ON_POSTGRESQL
async def test_proximo_by_a_non_attendant_and_on_an_empty_queue_are_refused(
    queue: QueueBot,
) -> None:
    intruso = queue.user("Intruso")
    queue.server.set_member(queue.group, intruso, "member")
    ana = queue.agent("Ana")
    maria = queue.user("Maria")

    queue.server.user_sends_text(ana, "/proximo", chat=queue.group)
    await queue.settle()
    assert "não há ninguém para chamar" in queue.group_texts()[-1]

    await queue.join(maria)
    queue.server.user_sends_text(intruso, "/proximo", chat=queue.group)
    await queue.settle()
    assert [e.status for e in queue.entries()] == ["waiting"]
    assert "É a sua vez" not in queue.last(maria).body
    refused = [(e.action, e.outcome, e.details) for e in queue.audit() if e.outcome == "refused"]
    assert refused == [
        ("queue_proximo", "refused", {"reason": "empty"}),
        ("queue_proximo", "refused", {"reason": "not_agent"}),
    ]

    queue.server.user_sends_text(ana, "/encerrar", chat=queue.group)
    await queue.settle()
    assert "nenhum atendimento do Balcão Virtual em andamento" in queue.group_texts()[-1]


@ALSO_ON_POSTGRESQL
async def test_a_restart_in_the_middle_of_a_call_window_loses_and_duplicates_nothing(
    start_queue: StartQueue,
) -> None:
    first = await start_queue()
    ana = first.agent("Ana")
    maria, joao = first.user("Maria"), first.user("João")
    await first.join(maria)
    await first.join(joao)
    first.server.user_sends_text(ana, "/proximo", chat=first.group)
    await first.settle()
    called_at = first.entries()[0].called_at
    assert called_at is not None
    await first.close()

    # The bot comes back 90 seconds after the call: the window's timer is still in the store.
    second = await start_queue(at=called_at + timedelta(seconds=90), group=first.group)
    await second.settle()
    maria_entry, joao_entry = second.entries()
    assert (maria_entry.status, joao_entry.status) == ("missed", "called")
    assert sum("É a sua vez!" in t for t in second.texts(joao)) == 1
    assert sum("não tem problema" in t.lower() for t in second.texts(maria)) == 1
    assert [t.status for t in second.timers()] == ["fired", "pending"]
