"""The Balcão Virtual in the chat, end to end on each driver: join, positions, the call, the
minute, the end and the rating."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.in_process_bot import ALSO_ON_POSTGRESQL

from .harness import TEAMS, QueueBot

OFFICE = "cartorio-2-vara-civel"


@ALSO_ON_POSTGRESQL
async def test_join_within_hours_then_call_confirm_end_and_rate(queue: QueueBot) -> None:
    ana = queue.agent("Ana")
    maria = queue.user("Maria")

    queue.server.user_sends_text(maria, "quero falar com o cartório da 2ª vara cível")
    await queue.settle()
    welcome = queue.last(maria)
    assert "Bem vindo(a) ao nosso canal de atendimento on-line." in welcome.body
    assert "Você está em: Cartório da 2ª Vara Cível" in welcome.body
    assert "segunda-feira, das 08:00 às 12:00 e das 13:00 às 19:00" in welcome.body
    assert welcome.button_data() == [f"q:j:{OFFICE}"]

    queue.server.user_presses_button(maria, welcome, f"q:j:{OFFICE}")
    await queue.settle()
    assert "Você está na fila. Sua posição na fila: 1º" in queue.texts(maria)[-1]
    assert "1 (um) minuto" in queue.texts(maria)[-1]
    assert "Espera estimada" not in queue.texts(maria)[-1]  # no service times yet
    card = queue.server.sent_messages(queue.group)[-1]
    assert "Na fila: 1" in card.body and card.button_data() == [f"q:next:{OFFICE}"]

    queue.server.user_sends_text(ana, "/proximo", chat=queue.group)
    await queue.settle()
    call = queue.last(maria)
    assert "É a sua vez!" in call.body and "1 (um) minuto" in call.body
    [[enter], [here]] = call.inline_keyboard
    assert enter == {"text": "🎥 Entrar no atendimento", "url": TEAMS}
    entry = queue.entries()[0]
    assert here["callback_data"] == f"q:h:{entry.id}"
    assert entry.status == "called" and entry.attendant_name == "Ana"
    assert any("Ana chamou Maria" in t for t in queue.group_texts())

    queue.server.user_presses_button(maria, call, f"q:h:{entry.id}")
    await queue.settle()
    assert "Presença confirmada" in queue.texts(maria)[-1]
    assert queue.entries()[0].status == "serving"
    assert any("Maria confirmou presença" in t for t in queue.group_texts())
    assert [t.status for t in queue.timers()] == ["cancelled"]
    queue.server.user_presses_button(maria, call, f"q:h:{entry.id}")  # pressed twice
    await queue.settle()
    assert "Presença confirmada" in queue.texts(maria)[-1]

    queue.clock.advance(minutes=12)
    queue.server.user_sends_text(ana, "/encerrar", chat=queue.group)
    await queue.settle()
    ended = queue.last(maria)
    assert "Obrigado por usar o Balcão Virtual" in ended.body
    assert ended.button_data() == [f"q:r:{entry.id}:{n}" for n in range(1, 6)]
    assert any("Ana encerrou o atendimento de Maria" in t for t in queue.group_texts())

    queue.server.user_presses_button(maria, ended, f"q:r:{entry.id}:4")
    await queue.settle()
    queue.server.user_sends_text(maria, "Atendimento rápido, obrigada")
    await queue.settle()
    assert "Avaliação registrada, com o seu comentário" in queue.texts(maria)[-1]
    [rating] = queue.ratings()
    assert (rating.score, rating.comment, rating.office_id, rating.attendant_name) == (
        4,
        "Atendimento rápido, obrigada",
        OFFICE,
        "Ana",
    )
    actions = [e.action for e in queue.audit() if e.action.startswith("queue_")]
    assert actions == [
        "queue_join",
        "queue_call",
        "queue_confirm",
        "queue_encerrar",
        "queue_rate",
    ]

    # The 12 minutes of service now estimate the wait of the next person.
    joao = queue.user("João")
    await queue.join(joao)
    assert "Espera estimada: cerca de 12 min" in queue.texts(joao)[-1]


@ALSO_ON_POSTGRESQL
async def test_no_show_after_one_minute_ends_politely_and_calls_the_next(queue: QueueBot) -> None:
    ana = queue.agent("Ana")
    maria, joao = queue.user("Maria"), queue.user("João")
    await queue.join(maria)
    await queue.join(joao)
    assert "Sua posição na fila: 2º" in queue.texts(joao)[-1]

    queue.server.user_sends_text(ana, "/proximo", chat=queue.group)
    await queue.settle()
    first_call = queue.last(maria)
    assert "É a sua vez!" in first_call.body
    queue.clock.advance(seconds=59)
    await queue.settle()
    assert queue.entries()[0].status == "called"

    queue.clock.advance(seconds=2)
    await queue.settle()
    maria_entry, joao_entry = queue.entries()
    assert maria_entry.status == "missed"
    assert "não tem problema" in queue.texts(maria)[-1].lower()
    assert joao_entry.status == "called" and joao_entry.attendant_name == "Ana"
    assert "É a sua vez!" in queue.last(joao).body
    group = queue.group_texts()
    assert any("Maria não confirmou em 1 minuto" in t for t in group)
    assert any("Ana chamou João" in t for t in group)

    # Maria's old "Estou aqui" is refused politely.
    queue.server.user_presses_button(maria, first_call, f"q:h:{maria_entry.id}")
    await queue.settle()
    assert "não está mais valendo" in queue.texts(maria)[-1]
    assert queue.entries()[0].status == "missed"
    missed = [e for e in queue.audit() if e.action == "queue_missed"]
    assert [(e.actor_name, e.details["entry"]) for e in missed] == [("sistema", maria_entry.id)]


@ALSO_ON_POSTGRESQL
async def test_outside_hours_closed_screen_and_notice_at_opening(queue: QueueBot) -> None:
    maria = queue.user("Maria")
    queue.server.user_sends_text(maria, "atendimento online com o cartório da 3ª vara cível")
    await queue.settle()
    closed = queue.last(maria)
    assert "O atendimento ainda não começou por aqui." in closed.body
    assert "Cartório da 3ª Vara Cível" in closed.body
    assert "segunda-feira, terça-feira, das 13:00 às 19:00" in closed.body
    assert "Próxima abertura: segunda-feira, 07/12 às 13:00" in closed.body
    assert closed.button_data() == ["q:n:cartorio-3-vara-civel"]

    queue.server.user_presses_button(maria, closed, "q:n:cartorio-3-vara-civel")
    await queue.settle()
    assert "Aviso você quando" in queue.texts(maria)[-1]
    [timer] = queue.timers()
    assert timer.due_at == datetime(2026, 12, 7, 16, 0, tzinfo=UTC)

    queue.clock.advance(hours=3)
    await queue.settle()
    opened = queue.last(maria)
    assert "abriu" in opened.body and opened.button_data() == ["q:j:cartorio-3-vara-civel"]
    queue.server.user_presses_button(maria, opened, "q:j:cartorio-3-vara-civel")
    await queue.settle()
    assert "Sua posição na fila: 1º" in queue.texts(maria)[-1]


@ALSO_ON_POSTGRESQL
async def test_positions_are_one_message_edited_as_people_ahead_leave(queue: QueueBot) -> None:
    people = [queue.user(name) for name in ("Ana Paula", "Bia", "Caio")]
    for person in people:
        await queue.join(person)
    caio = people[2]
    [position] = [m for m in queue.server.sent_messages(caio) if "Sua posição" in m.body]
    assert "3º" in position.body
    sent_before = len(queue.server.sent_messages(caio))

    queue.server.user_sends_text(people[0], "sair da fila")
    await queue.settle()
    assert "Pronto, você saiu da fila" in queue.texts(people[0])[-1]
    queue.clock.advance(seconds=16)  # one position edit per person every 15 s at most
    await queue.settle()
    bia = people[1]
    queue.server.user_presses_button(
        bia, queue.with_button(bia, f"q:l:{queue.entries()[1].id}"), f"q:l:{queue.entries()[1].id}"
    )
    await queue.settle()
    queue.clock.advance(seconds=16)
    await queue.settle()

    assert len(queue.server.sent_messages(caio)) == sent_before  # edits, no new message
    [position] = [m for m in queue.server.sent_messages(caio) if "Sua posição" in m.body]
    assert "Sua posição na fila: 1º" in position.body
    assert [e.status for e in queue.entries()] == ["left", "left", "waiting"]

    queue.server.user_sends_text(caio, "/fila")
    await queue.settle()
    assert "Sua posição na fila: 1º" in queue.texts(caio)[-1]


@ALSO_ON_POSTGRESQL
async def test_the_card_button_calls_and_fila_in_the_group_sums_up_each_office(
    queue: QueueBot,
) -> None:
    ana = queue.agent("Ana")
    maria, joao = queue.user("Maria"), queue.user("João")
    await queue.join(maria)
    await queue.join(joao)
    queue.clock.advance(seconds=11)  # the card is edited at most every 10 s
    await queue.settle()
    [card] = [m for m in queue.server.sent_messages(queue.group) if "Na fila:" in m.body]
    assert "Na fila: 2" in card.body and "Próximo: Maria" in card.body

    queue.server.user_presses_button(ana, card, f"q:next:{OFFICE}")
    await queue.settle()
    assert "É a sua vez!" in queue.last(maria).body
    queue.clock.advance(minutes=1, seconds=1)
    await queue.settle()  # Maria misses it; João is called
    queue.server.user_sends_text(ana, "/fila", chat=queue.group)
    await queue.settle()
    summary = queue.group_texts()[-1]
    assert "Balcão Virtual: filas por cartório" in summary
    assert "Cartório da 2ª Vara Cível" in summary and "Na fila: 0 · chamando: 1" in summary
    assert "Hoje: 0 atendimento(s), 1 ausência(s), 0 desistência(s)" in summary
    assert "Coordenadoria" not in summary  # an idle office adds nothing


async def test_asking_an_office_s_hours_shows_its_hours_and_how_it_works_stays_an_article(
    queue: QueueBot,
) -> None:
    maria = queue.user("Maria")
    queue.server.user_sends_text(maria, "qual o horário do cartório da 3ª vara cível?")
    await queue.settle()
    hours = queue.last(maria)
    assert "Cartório da 3ª Vara Cível" in hours.body
    assert "segunda-feira, terça-feira, das 13:00 às 19:00" in hours.body

    queue.server.user_sends_text(maria, "como funciona o balcão virtual?")
    await queue.settle()
    assert "Cartório da" not in queue.texts(maria)[-1]
    assert queue.entries() == []


async def test_an_office_added_to_offers_toml_is_served_after_a_reload(queue: QueueBot) -> None:
    root = queue.app.config.knowledge_base.path
    offers = root / "offers.toml"
    text = offers.read_text(encoding="utf-8")
    anchor = '  { id = "cartorio-2-vara-civel"'
    choice = '  { id = "vara-familia", label = "Cartório da Vara de Família" },\n'
    office = (
        '\n[[offers.offices]]\nid = "vara-familia"\nname = "Cartório da Vara de Família"\n'
        'hours = { seg = ["08:00-18:00"] }\nmeeting_url = "https://teams.microsoft.com/l/f"\n'
    )
    offers.write_text(text.replace(anchor, choice + anchor, 1) + office, encoding="utf-8")
    outcome = await queue.runtime.knowledge.reload_async()
    assert outcome.result == "reloaded", outcome

    ana, maria = queue.agent("Ana"), queue.user("Maria")
    queue.server.user_sends_text(maria, "quero falar com o cartório da vara de família")
    await queue.settle()
    welcome = queue.last(maria)
    assert "Você está em: Cartório da Vara de Família" in welcome.body
    queue.server.user_presses_button(maria, welcome, "q:j:vara-familia")
    await queue.settle()
    queue.server.user_sends_text(ana, "/proximo", chat=queue.group)
    await queue.settle()
    assert "É a sua vez!" in queue.last(maria).body
    assert [(e.office_id, e.status) for e in queue.entries()] == [("vara-familia", "called")]
