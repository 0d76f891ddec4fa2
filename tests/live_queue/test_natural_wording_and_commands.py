"""End to end on each driver: the Balcão Virtual asked for in plain words, and the attendants'
commands as rows of the agents' command table (menu, help, refusal)."""

from __future__ import annotations

from tests.in_process_bot import ALSO_ON_POSTGRESQL

from .harness import QueueBot

OFFICE = "cartorio-2-vara-civel"


async def test_the_bare_name_offers_both_ways_and_joining_reaches_a_place(queue: QueueBot) -> None:
    maria = queue.user("Maria")
    queue.server.user_sends_text(maria, "Balcão Virtual")
    await queue.settle()
    ways = queue.last(maria)
    assert "entrar na fila agora ou prefere saber antes como funciona" in ways.body
    assert ways.button_data() == ["q:c:balcao-virtual", "q:a:balcao-virtual-acesso"]

    queue.server.user_presses_button(maria, ways, "q:a:balcao-virtual-acesso")
    await queue.settle()
    assert "Como ser atendido pelo Balcão Virtual" in "\n".join(queue.texts(maria)[-2:])
    assert queue.entries() == []

    queue.server.user_presses_button(maria, ways, "q:c:balcao-virtual")
    await queue.settle()
    listed = queue.last(maria)
    assert "Com qual cartório você deseja o atendimento on-line?" in listed.body
    assert f"q:o:{OFFICE}" in listed.button_data()

    queue.server.user_presses_button(maria, listed, f"q:o:{OFFICE}")
    await queue.settle()
    welcome = queue.with_button(maria, f"q:j:{OFFICE}")
    assert "Você está em: Cartório da 2ª Vara Cível" in welcome.body
    queue.server.user_presses_button(maria, welcome, f"q:j:{OFFICE}")
    await queue.settle()
    assert "Sua posição na fila: 1º" in queue.texts(maria)[-1]
    assert [(e.office_id, e.status) for e in queue.entries()] == [(OFFICE, "waiting")]


async def test_atendimento_online_com_o_cartorio_lists_the_offices_and_hours_show_each(
    queue: QueueBot,
) -> None:
    joao = queue.user("João")
    queue.server.user_sends_text(joao, "atendimento online com o cartório")
    await queue.settle()
    listed = queue.last(joao)
    assert "Com qual cartório" in listed.body and "Não encontrei" not in listed.body
    assert "Cartório da 3ª Vara Cível" in listed.body

    queue.server.user_sends_text(joao, "qual o horário do balcão virtual?")
    await queue.settle()
    hours = queue.last(joao).body
    assert "Cartório da 3ª Vara Cível: segunda-feira, terça-feira, das 13:00 às 19:00" in hours
    assert "Fechado agora; próxima abertura: segunda-feira, 07/12 às 13:00" in hours


async def test_the_group_menu_and_help_list_the_attendants_commands(queue: QueueBot) -> None:
    await queue.settle()
    menu = queue.server.commands({"type": "chat", "chat_id": queue.group.id})
    described = {c["command"]: c["description"] for c in menu}
    assert "chamar a próxima pessoa da fila" in described["proximo"]
    assert "encerrar o atendimento em andamento" in described["encerrar"]

    ana = queue.agent("Ana")
    queue.server.user_sends_text(ana, "/ajuda", chat=queue.group)
    await queue.settle()
    shown = queue.group_texts()[-1]
    assert "/proximo [CARTÓRIO] [LINK]: Balcão Virtual: chamar a próxima pessoa" in shown
    assert "/encerrar: Balcão Virtual: encerrar o atendimento" in shown


@ALSO_ON_POSTGRESQL
async def test_a_non_attendant_is_refused_encerrar_by_the_command_table_s_authorization(
    queue: QueueBot,
) -> None:
    ana = queue.agent("Ana")
    intruso = queue.user("Intruso")
    queue.server.set_member(queue.group, intruso, "member")
    maria = queue.user("Maria")
    await queue.join(maria)
    queue.server.user_sends_text(ana, "/proximo", chat=queue.group)
    await queue.settle()
    queue.server.user_presses_button(maria, queue.last(maria), f"q:h:{queue.entries()[0].id}")
    await queue.settle()
    assert queue.entries()[0].status == "serving"

    queue.server.user_sends_text(intruso, "/encerrar", chat=queue.group)
    await queue.settle()
    assert queue.entries()[0].status == "serving"
    refused = [(e.action, e.details) for e in queue.audit() if e.outcome == "refused"]
    assert refused == [("queue_encerrar", {"reason": "not_agent"})]
    assert "avalie" not in queue.last(maria).body.lower()


@ALSO_ON_POSTGRESQL
async def test_erasing_someone_waiting_moves_those_behind_up_and_tells_them(
    queue: QueueBot,
) -> None:
    maria, joao = queue.user("Maria"), queue.user("João")
    await queue.join(maria)
    await queue.join(joao)
    [position] = [m for m in queue.server.sent_messages(joao) if "Sua posição" in m.body]
    assert "Sua posição na fila: 2º" in position.body

    queue.server.user_sends_text(maria, "/apagar_dados")
    await queue.settle()
    queue.server.user_presses_button(maria, queue.with_button(maria, "ey"), "ey")
    await queue.settle()
    queue.clock.advance(seconds=16)  # one position edit per person every 15 s at most
    await queue.settle()

    [position] = [m for m in queue.server.sent_messages(joao) if "Sua posição" in m.body]
    assert "Sua posição na fila: 1º" in position.body  # the same message, edited
    assert [(e.user_id != 0, e.status) for e in queue.entries()] == [(True, "waiting")]
    card = [m for m in queue.server.sent_messages(queue.group) if "Na fila:" in m.body][-1]
    assert "Na fila: 1" in card.body
