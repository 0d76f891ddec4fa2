"""Transfers, escalation, refusals of non-agents, and lookups from the agents' group."""

from __future__ import annotations

from storage import Role
from tests.fake_telegram import FakeChat, FakeTelegramServer, FakeUser

from .conftest import StartDesk
from .flows import open_eproc_ticket, open_in_store
from .harness import DeskBot


async def test_transfer_to_the_right_offer_tells_the_user_why(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    bruno = desk.user("Bruno")
    code = await open_eproc_ticket(desk, bruno)
    thread = desk.ticket(code).topic_thread_id

    desk.server.user_sends_text(ana, "/assumir", chat=desk.group, thread_id=thread)
    desk.server.user_sends_text(ana, "/transferir eproc-1g", chat=desk.group, thread_id=thread)
    await desk.settle()

    ticket = desk.ticket(code)
    assert (ticket.offer_id, ticket.status, ticket.assigned_agent_id) == ("eproc-1g", "novo", None)
    told = [t for t in desk.texts(bruno) if "transferido" in t]
    assert len(told) == 1
    assert "eproc 1º Grau e Colégio Recursal" in told[0]
    # One warning, written for a transfer (the desk chose the offer, not the user).
    assert desk.app.kb.texts["oferta_transferida"] in told[0]
    assert told[0].count("fluxo") == 1
    assert "Antes de abrir o seu chamado" not in told[0]
    assert "Atente-se" not in told[0]
    # Same agents' group: the topic is renamed and the ticket stays in it.
    [topic] = desk.server.topics(desk.group)
    assert topic.name.startswith(f"{code} · eproc 1º Grau e Colégio Recursal")
    assert any("transferiu" in m.body for m in desk.in_topic(thread))
    assert any(e.action == "transfer" and e.outcome == "ok" for e in desk.audit())


async def test_transfer_button_offers_the_other_offers(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    code = await open_eproc_ticket(desk, desk.user("Bruno"))
    thread = desk.ticket(code).topic_thread_id
    [card] = desk.in_topic(thread)

    desk.server.user_presses_button(ana, card, f"d:tr:{code}")
    await desk.settle()
    choose = desk.in_topic(thread)[-1]
    assert f"d:to:{code}:eproc-1g" in choose.button_data()
    assert f"d:to:{code}:eproc-2g" not in choose.button_data()
    desk.server.user_presses_button(ana, choose, f"d:to:{code}:eproc-1g")
    await desk.settle()
    assert desk.ticket(code).offer_id == "eproc-1g"


async def test_a_stranger_is_refused_politely_and_audited(desk: DeskBot) -> None:
    stranger = desk.user("Zé")
    desk.server.set_member(desk.group, stranger)
    bruno = desk.user("Bruno")
    code = await open_eproc_ticket(desk, bruno)
    thread = desk.ticket(code).topic_thread_id
    [card] = desk.in_topic(thread)
    seen = len(desk.texts(bruno))

    desk.server.user_sends_text(stranger, "oi, resolve aí", chat=desk.group, thread_id=thread)
    desk.server.user_sends_text(stranger, "/assumir", chat=desk.group, thread_id=thread)
    press = desk.server.user_presses_button(stranger, card, f"d:res:{code}")
    await desk.settle()

    assert len(desk.texts(bruno)) == seen
    assert desk.ticket(code).status == "novo"
    refusals = [m.body for m in desk.in_topic(thread) if "Só agentes cadastrados" in m.body]
    assert len(refusals) == 2
    answer = desk.server.callback(press.id).answer
    assert (
        answer is not None and answer.show_alert and "Só agentes cadastrados" in (answer.text or "")
    )
    refused = [(e.actor_telegram_id, e.action) for e in desk.audit() if e.outcome == "refused"]
    assert refused == [(stranger.id, "reply"), (stranger.id, "assumir"), (stranger.id, "resolver")]


async def test_escalating_a_sei_ticket_goes_from_the_csg_to_the_seati_group(
    start_desk: StartDesk, fake_telegram: FakeTelegramServer
) -> None:
    seati = fake_telegram.add_group("SEATI – nível 2", forum=True)
    desk = await start_desk(desk=f'escalation_chat_ids = {{ "sei" = {seati.id} }}\n')
    ana = desk.agent("Ana")
    carla = desk.user("Carla")
    code = await open_in_store(desk, carla, "sei")
    thread = desk.ticket(code).topic_thread_id

    desk.server.user_sends_text(ana, "/escalar", chat=desk.group, thread_id=thread)
    await desk.settle()

    ticket = desk.ticket(code)
    assert ticket.agent_chat_id == seati.id and ticket.escalated_at is not None
    [topic] = desk.server.topics(seati)
    assert topic.name.startswith(code)
    assert any(f"Chamado {code}" in m.body for m in desk.server.sent_messages(seati))
    assert any("SEATI" in m.body for m in desk.in_topic(thread))
    told = desk.texts(carla)[-1]
    assert (
        "Comitê Setorial de Gestão (CSG)" in told and "Unidades Técnica e de Gestão do SEI" in told
    )

    # The user's next message reaches the SEATI topic.
    await _take(desk, ana, seati, topic.thread_id)
    desk.server.user_sends_text(carla, "Segue o número do processo: 2025.123")
    await desk.settle()
    assert "2025.123" in desk.server.sent_messages(seati)[-1].body


async def test_escalation_without_a_level2_group_is_refused(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    code = await open_eproc_ticket(desk, desk.user("Bruno"))
    thread = desk.ticket(code).topic_thread_id
    desk.server.user_sends_text(ana, "/escalar", chat=desk.group, thread_id=thread)
    await desk.settle()
    assert "Não há grupo de nível 2" in desk.in_topic(thread)[-1].body
    assert desk.ticket(code).escalated_at is None


async def test_queue_search_details_article_priority_and_supervisor_audit(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    sofia = desk.agent("Sofia", role=Role.SUPERVISOR)
    bruno = desk.user("Bruno")
    code = await open_eproc_ticket(desk, bruno)
    thread = desk.ticket(code).topic_thread_id

    desk.server.user_sends_text(ana, "/fila", chat=desk.group)
    desk.server.user_sends_text(ana, "/buscar redistribuição", chat=desk.group)
    desk.server.user_sends_text(ana, f"/chamado {code}", chat=desk.group)
    await desk.settle()
    general = [m.body for m in desk.server.sent_messages(desk.group) if m.thread_id is None]
    assert "eproc 2º Grau: 1 na fila" in general[0] and code in general[0]
    assert code in general[1] and code in general[2] and "Solicitante: Bruno" in general[2]

    desk.server.user_sends_text(ana, "/prioridade 1", chat=desk.group, thread_id=thread)
    desk.server.user_sends_text(
        ana, "/artigo eproc-abrir-chamado", chat=desk.group, thread_id=thread
    )
    await desk.settle()
    assert desk.ticket(code).priority == 1
    assert any("indicou esta orientação" in t for t in desk.texts(bruno))
    assert any("Service Desk" in t for t in desk.texts(bruno))

    desk.server.user_sends_text(ana, "/auditoria", chat=desk.group, thread_id=thread)
    desk.server.user_sends_text(sofia, "/auditoria", chat=desk.group, thread_id=thread)
    await desk.settle()
    answers = [m.body for m in desk.in_topic(thread)][-2:]
    assert "Só supervisores" in answers[0]
    assert "Auditoria" in answers[1] and "priority" in answers[1] and "article" in answers[1]


async def _take(desk: DeskBot, agent: FakeUser, chat: FakeChat, thread: int) -> None:
    desk.server.set_member(chat, agent)
    desk.server.user_sends_text(agent, "/assumir", chat=chat, thread_id=thread)
    await desk.settle()
