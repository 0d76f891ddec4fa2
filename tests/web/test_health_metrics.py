"""/healthz, /readyz and /metrics served by the running bot, on each driver."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.app import utc_now
from bot.telegram.drivers import make_driver
from bot.web.health import Readiness
from knowledge_base.version import content_version
from storage import InboxUpdate, enqueue, make_engine, rate_ticket, ticket_by_code, upgrade
from tests.e2e.harness import Person, RunningBot
from tests.fake_telegram import FakeTelegramServer

from .conftest import WebBot

ALLOWED_LABELS = {"method", "code", "offer", "kind", "score", "le"}


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        return response.status, await response.text()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample by (name, sorted labels), parsed by Prometheus's own text parser."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def known_person(bot: RunningBot, name: str) -> Person:
    person = bot.person(name)
    assert (await person.say("/start")).messages
    return person


async def test_healthz_answers_while_the_bot_runs(web_bot: WebBot) -> None:
    status, body = await get(f"{web_bot.base}/healthz")
    assert (status, body) == (200, '{"status": "ok"}')


async def test_metrics_parse_and_hold_the_stores_numbers_without_ids(web_bot: WebBot) -> None:
    bot = web_bot.bot
    ana = await known_person(bot, "Ana")
    await ana.say("Como pesquiso os atendimentos na Minha Área?")
    first = bot.queue_ticket(ana, "primeiro")
    second = bot.queue_ticket(ana, "segundo")
    bot.move_ticket(first, "em_atendimento", "resolvido")
    await ana.news()
    with bot.session() as session:
        ticket = ticket_by_code(session, code=first)
        assert ticket is not None
        rate_ticket(session, ticket=ticket, score=4, now=bot.clock())

    status, text = await get(f"{web_bot.base}/metrics")
    assert status == 200
    found = samples(text)
    with Session(bot.engine) as session:
        done = len(session.exec(select(InboxUpdate).where(col(InboxUpdate.status) == "done")).all())
    assert found[("triagem_updates_total", ())] == done == 2
    assert found[("triagem_update_duration_seconds_count", ())] == 2
    assert found[("triagem_tickets_opened_total", (("offer", "suporte-tecnico"),))] == 2
    assert found[("triagem_queue_waiting", (("offer", "suporte-tecnico"),))] == 1
    assert found[("triagem_ratings_total", (("score", "4"),))] == 1
    assert found[("triagem_telegram_requests_total", (("code", "200"), ("method", "getMe")))] == 1
    sent = found[("triagem_telegram_requests_total", (("code", "200"), ("method", "sendMessage")))]
    assert sent >= 3
    decisions = {k: v for k, v in found.items() if k[0] == "triagem_triage_decisions_total"}
    assert sum(decisions.values()) == 1
    assert ("triagem_outbox_pending", ()) in found
    ids = {str(ana.id), first, second}
    for name, labels in found:
        assert {key for key, _ in labels} <= ALLOWED_LABELS, name
        assert not ids & {value for _, value in labels}, (name, labels)


async def test_readyz_is_ready_then_fails_on_a_recent_webhook_error(
    web_bot: WebBot, fake_telegram: FakeTelegramServer
) -> None:
    status, body = await get(f"{web_bot.base}/readyz")
    assert status == 200, body
    # The knowledge base in use, by its content hash (as `triagem kb lint` prints it).
    root = web_bot.bot.app.config.knowledge_base.path
    assert json.loads(body)["knowledge_base_version"] == content_version(root)
    fake_telegram.state.webhook.last_error_date = int(time.time())
    fake_telegram.state.webhook.last_error_message = "Connection refused"
    status, body = await get(f"{web_bot.base}/readyz")
    assert status == 503
    assert "Connection refused" in body and '"store": "ok"' in body


async def test_unknown_paths_are_404_and_malformed_requests_400_without_a_traceback(
    web_bot: WebBot, caplog: pytest.LogCaptureFixture
) -> None:
    status, body = await get(f"{web_bot.base}/nao-existe")
    assert status == 404 and "Página não encontrada" in body and "Traceback" not in body
    port = int(web_bot.base.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")
    await writer.drain()
    answer = await reader.read(4096)
    writer.close()
    assert answer.split(b"\r\n")[0].endswith(b" 400 Bad Request"), answer
    assert b"Traceback" not in answer
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    upgrade(made)
    yield made
    made.dispose()


@asynccontextmanager
async def readiness(engine: Engine, server: FakeTelegramServer) -> AsyncIterator[Readiness]:
    driver = make_driver("aiogram", server.token, server.base_url)
    try:
        yield Readiness(
            engine,
            driver,
            utc_now,
            outbox_stuck=timedelta(minutes=5),
            webhook_error=timedelta(minutes=10),
        )
    finally:
        await driver.close()


async def test_an_outbox_call_due_too_long_ago_makes_readyz_fail(
    engine: Engine, fake_telegram: FakeTelegramServer
) -> None:
    async with readiness(engine, fake_telegram) as ready:
        assert set((await ready.check()).values()) == {"ok"}
        with Session(engine) as session, session.begin():
            params = {"text": "oi"}
            now = utc_now()
            enqueue(session, chat_id=1, method="sendMessage", params=params, now=now)
            enqueue(
                session,
                chat_id=2,
                method="sendMessage",
                params=params,
                now=now - timedelta(minutes=6),
            )
        checks = await ready.check()
    assert checks["outbox"].startswith("stuck: a call due since")
    assert checks["store"] == checks["telegram"] == "ok"


async def test_telegram_refusing_getme_makes_readyz_fail(
    engine: Engine, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.faults.fail_next("getMe", 401, description="Unauthorized")
    async with readiness(engine, fake_telegram) as ready:
        checks = await ready.check()
    assert checks["telegram"].startswith("refused:") and "Unauthorized" in checks["telegram"]
    assert checks["store"] == checks["outbox"] == "ok"
