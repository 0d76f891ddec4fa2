"""Threads survive Telegram: a deleted topic is re-created, groups without topics use replies,
edits follow relayed messages, and a user with several tickets picks one."""

from __future__ import annotations

from storage import EventKind
from tests.in_process_bot import ALSO_ON_POSTGRESQL

from .conftest import StartDesk
from .flows import open_eproc_ticket, open_in_store, press_label
from .harness import DeskBot


@ALSO_ON_POSTGRESQL
async def test_a_deleted_topic_is_recreated_and_nothing_is_lost(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    bruno = desk.user("Bruno")
    code = await open_eproc_ticket(desk, bruno)
    old_thread = desk.ticket(code).topic_thread_id
    desk.server.user_sends_text(ana, "/assumir", chat=desk.group, thread_id=old_thread)
    await desk.settle()

    from tests.fake_telegram.params import Params

    await desk.server.call(
        "deleteForumTopic", Params({"chat_id": desk.group.id, "message_thread_id": old_thread})
    )
    desk.server.user_sends_text(bruno, "Ainda está dando erro, segue o print")
    desk.server.user_sends_text(bruno, "E agora apareceu outra mensagem")
    await desk.settle()

    ticket = desk.ticket(code)
    assert ticket.topic_thread_id not in (None, old_thread)
    [topic] = desk.server.topics(desk.group)
    assert topic.thread_id == ticket.topic_thread_id and topic.name.startswith(code)
    bodies = [m.body for m in desk.in_topic(topic.thread_id)]
    assert f"Chamado {code}" in bodies[0]  # the card again, first in the new topic
    assert "Ainda está dando erro" in bodies[1] and "outra mensagem" in bodies[2]
    failed = [r for r in desk.outbox() if r.status == "failed"]
    assert len(failed) == 1 and "queued again" in (failed[0].error or "")


@ALSO_ON_POSTGRESQL
async def test_group_without_topics_threads_on_the_card(start_desk: StartDesk) -> None:
    desk = await start_desk(forum=False)
    ana = desk.agent("Ana")
    bruno = desk.user("Bruno")
    code = await open_eproc_ticket(desk, bruno)
    ticket = desk.ticket(code)
    assert ticket.topic_thread_id is None and ticket.card_message_id is not None
    card = desk.server.sent_messages(desk.group)[0]
    assert card.message_id == ticket.card_message_id and f"Chamado {code}" in card.body

    desk.server.user_sends_text(ana, "/assumir", chat=desk.group, reply_to=card)
    desk.server.user_sends_text(ana, "Bom dia! Pode detalhar?", chat=desk.group, reply_to=card)
    await desk.settle()
    assert "Pode detalhar?" in desk.texts(bruno)[-1]

    desk.server.user_sends_text(bruno, "Claro: o recurso foi para a câmara errada.")
    await desk.settle()
    relayed = desk.server.sent_messages(desk.group)[-1]
    assert "câmara errada" in relayed.body
    assert relayed.reply_to is not None and relayed.reply_to.message_id == card.message_id

    # Replying to the relayed message continues the same ticket.
    desk.server.user_sends_text(ana, "Obrigada, vou corrigir.", chat=desk.group, reply_to=relayed)
    await desk.settle()
    assert "vou corrigir" in desk.texts(bruno)[-1]


@ALSO_ON_POSTGRESQL
async def test_edits_are_relayed_both_ways_and_both_versions_kept(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    bruno = desk.user("Bruno")
    code = await open_eproc_ticket(desk, bruno)
    thread = desk.ticket(code).topic_thread_id
    said = desk.server.user_sends_text(ana, "Qual é a vara?", chat=desk.group, thread_id=thread)
    await desk.settle()
    copy_to_user = desk.server.last_sent(bruno)
    assert copy_to_user is not None

    desk.server.user_edits_message(ana, said, "Qual é a câmara?")
    answer = desk.server.user_sends_text(bruno, "1ª Câmara")
    await desk.settle()
    desk.server.user_edits_message(bruno, answer, "2ª Câmara de Direito Público")
    await desk.settle()

    assert "Qual é a câmara?" in copy_to_user.body and "editada" in copy_to_user.body
    relayed = [m for m in desk.in_topic(thread) if "Câmara" in m.body]
    assert len(relayed) == 1 and "2ª Câmara de Direito Público" in relayed[0].body
    texts = [(e.kind, e.text) for e in desk.history(code) if e.kind in ("message", "edit")]
    assert texts == [
        (EventKind.MESSAGE, "Qual é a vara?"),
        (EventKind.MESSAGE, "1ª Câmara"),
        (EventKind.EDIT, "Qual é a câmara?"),
        (EventKind.EDIT, "2ª Câmara de Direito Público"),
    ] or sorted(texts, key=lambda t: t[1] or "") == sorted(
        [
            (EventKind.MESSAGE, "Qual é a vara?"),
            (EventKind.MESSAGE, "1ª Câmara"),
            (EventKind.EDIT, "Qual é a câmara?"),
            (EventKind.EDIT, "2ª Câmara de Direito Público"),
        ],
        key=lambda t: t[1] or "",
    )


@ALSO_ON_POSTGRESQL
async def test_a_user_with_two_tickets_in_attendance_chooses_one(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    bruno = desk.user("Bruno")
    first = await open_in_store(desk, bruno, "suporte-tecnico")
    second = await open_in_store(desk, bruno, "sei")
    for code in (first, second):
        desk.server.user_sends_text(
            ana, "/assumir", chat=desk.group, thread_id=desk.ticket(code).topic_thread_id
        )
    await desk.settle()

    desk.server.user_sends_text(bruno, "Consegui o print que vocês pediram")
    await desk.settle()
    question = desk.server.last_sent(bruno)
    assert question is not None and "Sobre qual deles" in question.body
    assert set(question.button_data()) == {f"rl:{first}", f"rl:{second}", "rl:new"}
    press_label(desk, bruno, second)
    await desk.settle()

    assert "Mensagem enviada" in desk.texts(bruno)[-1]
    in_second = [m.body for m in desk.in_topic(desk.ticket(second).topic_thread_id)]
    assert any("Consegui o print" in body for body in in_second)
    in_first = [m.body for m in desk.in_topic(desk.ticket(first).topic_thread_id)]
    assert not any("Consegui o print" in body for body in in_first)


async def test_a_user_file_reaches_the_topic(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    bruno = desk.user("Bruno")
    code = await open_eproc_ticket(desk, bruno)
    thread = desk.ticket(code).topic_thread_id
    desk.server.user_sends_text(ana, "/assumir", chat=desk.group, thread_id=thread)
    await desk.settle()

    desk.server.user_sends_document(bruno, b"%PDF-1.4 print", "erro.pdf")
    await desk.settle()
    sent = desk.in_topic(thread)[-1]
    assert sent.document is not None and sent.document["file_name"] == "erro.pdf"
    assert "erro.pdf" in sent.body


async def test_a_user_photo_is_named_foto_in_the_topic_and_on_the_card(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    bruno = desk.user("Bruno")
    code = await open_eproc_ticket(desk, bruno)
    thread = desk.ticket(code).topic_thread_id
    desk.server.user_sends_text(ana, "/assumir", chat=desk.group, thread_id=thread)
    await desk.settle()

    desk.server.user_sends_photo(bruno)
    await desk.settle()
    sent = desk.in_topic(thread)[-1]
    assert sent.photo is not None
    assert "Bruno enviou um arquivo: foto 1" in sent.body
    desk.server.user_sends_text(ana, f"/chamado {code}", chat=desk.group, thread_id=thread)
    await desk.settle()
    shown = desk.in_topic(thread)[-1].body
    assert "Anexos (1): foto 1" in shown and "photo" not in shown


async def test_an_agents_photo_reaches_the_requester_as_a_signed_copy(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    bruno = desk.user("Bruno")
    code = await open_eproc_ticket(desk, bruno)
    thread = desk.ticket(code).topic_thread_id
    desk.server.user_sends_photo(ana, caption="Clique aqui", chat=desk.group, thread_id=thread)
    await desk.settle()

    [copy] = [m for m in desk.server.sent_messages(bruno) if m.photo is not None]
    assert "Clique aqui" in copy.body and "Ana" in copy.body and code in copy.body
    said = [e.text for e in desk.history(code) if e.kind == EventKind.MESSAGE]
    assert said[-1] == "Clique aqui"
    assert desk.ticket(code).first_response_at is not None
