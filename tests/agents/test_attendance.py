"""An agent works a ticket from its topic: takes it, talks with the user, notes, resolves."""

from __future__ import annotations

from storage import EventKind
from tests.in_process_bot import ALSO_ON_POSTGRESQL

from .flows import open_eproc_ticket
from .harness import DeskBot


@ALSO_ON_POSTGRESQL
async def test_ticket_gets_a_named_topic_and_a_card_with_buttons(desk: DeskBot) -> None:
    bruno = desk.user("Bruno")
    code = await open_eproc_ticket(desk, bruno)

    [topic] = desk.server.topics(desk.group)
    assert topic.name == f"{code} · eproc 2º Grau · Tramitação processual"
    ticket = desk.ticket(code)
    assert (ticket.agent_chat_id, ticket.topic_thread_id) == (desk.group.id, topic.thread_id)
    [card] = desk.in_topic(topic.thread_id)
    assert ticket.card_message_id == card.message_id
    assert f"Chamado {code}" in card.body and "Solicitante: Bruno" in card.body
    assert "redistribuição do recurso deu erro" in card.body
    assert card.button_data() == [
        f"d:take:{code}",
        f"d:res:{code}",
        f"d:tr:{code}",
        f"d:esc:{code}",
    ]
    assert all(len(d.encode()) <= 64 for d in card.button_data())


@ALSO_ON_POSTGRESQL
async def test_agent_takes_replies_user_answers_notes_stay_internal_and_resolve_asks_rating(
    desk: DeskBot,
) -> None:
    ana = desk.agent("Ana")
    bruno = desk.user("Bruno")
    code = await open_eproc_ticket(desk, bruno)
    thread = desk.ticket(code).topic_thread_id
    [card] = desk.in_topic(thread)
    to_user_before = len(desk.texts(bruno))

    desk.server.user_presses_button(ana, card, f"d:take:{code}")
    await desk.settle()
    assert desk.ticket(code).status == "em_atendimento"
    assert desk.ticket(code).assigned_agent_id == desk.stored_agent(ana).id
    news = desk.texts(bruno)[to_user_before:]
    assert any("Em atendimento" in text for text in news), news
    assert "Responsável: Ana" in desk.server.sent_messages(desk.group)[0].body  # card edited
    assert any("Ana assumiu" in m.body for m in desk.in_topic(thread))

    desk.server.user_sends_text(
        ana, "Olá! Qual é o número do processo?", chat=desk.group, thread_id=thread
    )
    await desk.settle()
    reply = desk.server.last_sent(bruno)
    assert reply is not None and "Ana" in reply.body and code in reply.body
    assert "Qual é o número do processo?" in reply.body

    desk.server.user_sends_text(bruno, "É o processo 1234567-89.2025.8.26.0000")
    await desk.settle()
    relayed = desk.in_topic(thread)[-1]
    assert "Bruno" in relayed.body and "1234567-89.2025" in relayed.body

    seen = len(desk.texts(bruno))
    desk.server.user_sends_text(
        ana, "!usuário do gabinete 3, ligar se precisar", chat=desk.group, thread_id=thread
    )
    desk.server.user_sends_text(
        ana, "/nota conferir a fila de redistribuição", chat=desk.group, thread_id=thread
    )
    await desk.settle()
    assert len(desk.texts(bruno)) == seen
    assert not any("gabinete 3" in t or "conferir a fila" in t for t in desk.texts(bruno))

    desk.server.user_sends_text(
        ana, "/resolver Redistribuição corrigida.", chat=desk.group, thread_id=thread
    )
    await desk.settle()
    assert desk.ticket(code).status == "resolvido"
    after = desk.server.sent_messages(bruno)[seen:]
    assert "Redistribuição corrigida." in after[0].body
    rating = after[-1]
    assert "resolvido" in rating.body
    assert rating.button_data() == [f"r:{code}:{n}" for n in range(1, 6)]

    events = desk.history(code)
    notes = [e for e in events if e.kind == EventKind.NOTE]
    assert [n.text for n in notes] == [
        "usuário do gabinete 3, ligar se precisar",
        "conferir a fila de redistribuição",
    ]
    assert not any(n.visible_to_user for n in notes)
    messages = [(e.actor.split(":")[0], e.text) for e in events if e.kind == EventKind.MESSAGE]
    assert messages == [
        ("agent", "Olá! Qual é o número do processo?"),
        ("user", "É o processo 1234567-89.2025.8.26.0000"),
        ("agent", "Redistribuição corrigida."),
    ]
    actions = [(e.action, e.outcome) for e in desk.audit() if e.ticket_code == code]
    assert ("take", "ok") in actions and ("resolve", "ok") in actions
    assert actions.count(("note", "ok")) == 2 and ("reply", "ok") in actions

    desk.server.user_presses_button(bruno, rating, f"r:{code}:5")
    await desk.settle()
    assert "comentário" in desk.texts(bruno)[-1].lower()
