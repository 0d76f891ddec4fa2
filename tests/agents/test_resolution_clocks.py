"""Resolution clocks end to end: a warning at 80% of the target in the ticket's topic and to the
supervisors, before the breach alert; paused while the ticket waits for the user; fired once
with two workers on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session, col, select

from storage import OutboxMessage, Role, Ticket, change_status, ticket_by_code
from storage.timers import pending_timers
from tests.fake_telegram import FakeUser
from tests.in_process_bot import BotSite, wire_bot

from .conftest import StartDesk
from .flows import open_in_store
from .harness import DeskBot, write_config

WARNING = "Prazo perto de estourar"
BREACH = "Prazo estourado"


async def open_sei_ticket(desk: DeskBot, user: FakeUser) -> str:
    """A SEI ticket (target 5 days, running hours) opened as the desk opens one."""
    return await open_in_store(desk, user, "sei", start_clock=True)


async def fire(desk: DeskBot) -> int:
    """Fire what is due by the bot's clock now (the running scheduler would, within a second)."""
    fired = await asyncio.to_thread(desk.runtime.scheduler.fire_due)
    await desk.settle()
    return fired


def alerts(desk: DeskBot, who: FakeUser) -> list[str]:
    return [t for t in desk.texts(who) if WARNING in t or BREACH in t]


def topic_alerts(desk: DeskBot, code: str) -> list[str]:
    thread = desk.ticket(code).topic_thread_id
    return [m.body for m in desk.in_topic(thread) if WARNING in m.body or BREACH in m.body]


def move(desk: DeskBot, code: str, *statuses: str, agent_id: int | None = None) -> None:
    """An agent moves the ticket; the runtime is told as after a desk command."""
    with Session(desk.engine) as session, session.begin():
        ticket = ticket_by_code(session, code=code)
        assert ticket is not None
        if agent_id is not None:
            ticket.assigned_agent_id = agent_id
        for status in statuses:
            change_status(session, ticket=ticket, to=status, actor="agent:1", now=desk.clock())
        desk.runtime.news.status_changed(session, ticket)


async def test_warning_then_breach_in_the_topic_and_to_supervisors(desk: DeskBot) -> None:
    sofia = desk.agent("Sofia", role=Role.SUPERVISOR)
    desk.server.chat_of(sofia).bot_started = True
    maria = desk.user("Maria")
    code = await open_sei_ticket(desk, maria)
    ticket = desk.ticket(code)
    assert ticket.due_at == ticket.created_at + timedelta(hours=120)
    assert ticket.warn_at == ticket.created_at + timedelta(hours=96)

    desk.clock.advance(hours=95)
    assert await fire(desk) == 0
    assert topic_alerts(desk, code) == [] and alerts(desk, sofia) == []

    desk.clock.advance(hours=2)
    assert await fire(desk) == 1
    [warning] = topic_alerts(desk, code)
    assert f"o chamado {code} já usou 80% do prazo de solução" in warning
    [to_sofia] = alerts(desk, sofia)
    assert code in to_sofia and "Helpdesk do SEI" in to_sofia and WARNING in to_sofia
    assert desk.ticket(code).warned_at is not None and desk.ticket(code).breached_at is None

    desk.clock.advance(hours=24)
    assert await fire(desk) == 1
    assert [WARNING in t for t in topic_alerts(desk, code)] == [True, False]
    assert BREACH in topic_alerts(desk, code)[1] and BREACH in alerts(desk, sofia)[1]
    assert desk.ticket(code).breached_at is not None
    exposition = (await asyncio.to_thread(desk.runtime.metrics.exposition)).decode()
    breaches = {
        (s.name, tuple(s.labels.items())): s.value
        for family in text_string_to_metric_families(exposition)
        for s in family.samples
    }
    assert breaches[("triagem_sla_breaches_total", (("offer", "sei"),))] == 1
    # Nothing fires twice.
    desk.clock.advance(hours=48)
    assert await fire(desk) == 0
    assert len(alerts(desk, sofia)) == 2
    assert maria.id not in {m.chat_id for m in desk.outbox() if m.kind == "sla_alert"}

    move(desk, code, "em_atendimento", "resolvido")
    assert desk.ticket(code).target_met is False


async def test_the_clock_pauses_while_waiting_for_the_user(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    maria = desk.user("Maria")
    code = await open_sei_ticket(desk, maria)
    created = desk.ticket(code).created_at
    desk.clock.advance(hours=10)
    move(desk, code, "em_atendimento", "aguardando_usuario", agent_id=desk.stored_agent(ana).id)
    with Session(desk.engine) as session:
        assert pending_timers(session) == []
    assert desk.ticket(code).warn_at is None

    desk.clock.advance(hours=100)  # long past 96 h, but the clock stood still
    assert await fire(desk) == 0
    desk.server.user_sends_text(maria, "Segue o print que vocês pediram")
    await desk.settle()
    ticket = desk.ticket(code)
    assert ticket.status == "em_atendimento"
    assert ticket.due_at is not None and ticket.warn_at is not None
    resumed_after = ticket.due_at - created - timedelta(hours=120)
    assert timedelta(hours=99, minutes=59) < resumed_after <= timedelta(hours=100, minutes=1)
    assert ticket.warn_at == ticket.due_at - timedelta(hours=24)

    desk.clock.advance(hours=85)  # 95 h counted
    assert await fire(desk) == 0
    desk.clock.advance(hours=2)  # 97 h counted
    assert await fire(desk) == 1
    assert len(topic_alerts(desk, code)) == 1

    move(desk, code, "resolvido")
    ticket = desk.ticket(code)
    assert ticket.target_met is True
    assert ticket.first_response_at is not None


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_two_workers_fire_each_warning_once(start_desk: StartDesk, bot_site: BotSite) -> None:
    desk = await start_desk()
    sofia = desk.agent("Sofia", role=Role.SUPERVISOR)
    desk.server.chat_of(sofia).bot_started = True
    codes = [await open_sei_ticket(desk, desk.user(f"Pessoa {n}")) for n in range(6)]
    # A second worker: its own app, engine and scheduler on the same store.
    (bot_site.tmp_path / "second").mkdir()
    path = write_config(bot_site.tmp_path / "second", "[desk]\n")
    environ = {"TRIAGEM_TELEGRAM__AGENT_CHAT_ID": str(desk.group.id)}
    second_app, second, second_clock = wire_bot(bot_site, path, environ=environ)
    try:
        desk.clock.advance(hours=97)
        second_clock.advance(hours=97)
        fired = await asyncio.gather(
            asyncio.to_thread(desk.runtime.scheduler.fire_due),
            asyncio.to_thread(second.scheduler.fire_due),
            asyncio.to_thread(desk.runtime.scheduler.fire_due),
            asyncio.to_thread(second.scheduler.fire_due),
        )
        # The first worker's own scheduler loop runs too: three firers race for six timers.
        assert sum(fired) <= 6
        await desk.settle()
    finally:
        await second.driver.close()
        second_app.engine.dispose()
    assert len(alerts(desk, sofia)) == 6
    assert sorted(c for c in codes if any(c in a for a in alerts(desk, sofia))) == sorted(codes)
    for code in codes:
        assert len(topic_alerts(desk, code)) == 1
    with Session(desk.engine) as session:
        warned = session.exec(select(Ticket).where(col(Ticket.warned_at).is_not(None))).all()
        rows = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.kind) == "sla_alert")
        ).all()
    assert len(warned) == 6 and len(rows) == 6


async def test_aguardar_stops_the_clock_until_the_user_answers(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    maria = desk.user("Maria")
    code = await open_sei_ticket(desk, maria)
    thread = desk.ticket(code).topic_thread_id
    desk.server.user_sends_text(ana, "/assumir", chat=desk.group, thread_id=thread)
    await desk.settle()
    desk.server.user_sends_text(
        ana, "/aguardar Pode mandar um print da tela?", chat=desk.group, thread_id=thread
    )
    await desk.settle()
    ticket = desk.ticket(code)
    assert ticket.status == "aguardando_usuario" and ticket.warn_at is None
    assert any("Pode mandar um print da tela?" in t for t in desk.texts(maria))
    assert any("em espera pela resposta do usuário" in m.body for m in desk.in_topic(thread))
    with Session(desk.engine) as session:
        assert pending_timers(session) == []

    desk.clock.advance(hours=200)
    assert await fire(desk) == 0
    desk.server.user_sends_text(maria, "Segue o print")
    await desk.settle()
    ticket = desk.ticket(code)
    assert ticket.status == "em_atendimento"
    assert ticket.first_response_at is not None
    assert ticket.due_at is not None and ticket.due_at > desk.clock() + timedelta(hours=119)
