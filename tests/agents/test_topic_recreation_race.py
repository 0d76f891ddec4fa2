"""A relay committed while the sender re-creates a deleted topic still goes to the new topic.

The interleaving that lost it on PostgreSQL, forced: a worker has queued (numbered) a relay but
not committed it when `DeskOutbox.on_thread_lost` runs; the worker commits only once the hook is
done or waits for it. The bot is wired but never started: nothing is sent meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlmodel import Session, col, select

from bot.agents.desk_services import RELAY_IN
from bot.telegram.sender import Job
from flows.actions import RelayToTicket
from storage import (
    OutboxMessage,
    OutboxStatus,
    User,
    mark_failed,
)
from tests.fake_telegram import FakeUser
from tests.in_process_bot import BotSite

from .flows import store_ticket
from .harness import DeskBot, make_desk_bot

OLD_THREAD, OLD_CARD = 41, 42
WAIT_LIMIT = 10.0
_WAITING_FOR = text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))")


@pytest_asyncio.fixture
async def wired(bot_site: BotSite) -> AsyncIterator[DeskBot]:
    """The desk bot on the site's store, wired and never started."""
    desk = make_desk_bot(bot_site)
    try:
        yield desk
    finally:
        await desk.runtime.driver.close()
        desk.app.engine.dispose()


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("library", ["aiogram"])  # no call reaches Telegram: any driver will do
async def test_a_relay_committed_during_topic_recreation_goes_to_the_new_topic(
    wired: DeskBot,
) -> None:
    desk, agents = wired, wired.runtime.agents
    user_id, code = _ticket_in_its_topic(desk, desk.user("Bruno"))
    first = RelayToTicket(code, text="Ainda está dando erro, segue o print", message_id=1)
    with Session(desk.engine) as session, session.begin():
        agents.threads.relay_from_user(session, _user(session, user_id), first)
    [row] = _pending_in_group(desk)
    lost = Job(row.id or 0, row.chat_id, row.method, row.params, 1, row.kind, row.ticket_id)

    def sender_finds_the_topic_gone() -> None:
        # What Sender._thread_lost does when Telegram answers "message thread not found".
        with Session(desk.engine) as session, session.begin():
            assert agents.outbox.on_thread_lost(session, lost)
            row = session.get(OutboxMessage, lost.id)
            assert row is not None
            mark_failed(session, message=row, error="thread not found", now=desk.clock())

    # A worker numbers the user's next message but has not committed it yet.
    second = RelayToTicket(code, text="E agora apareceu outra mensagem", message_id=2)
    with Session(desk.engine) as worker:
        worker.begin()
        pid = worker.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        agents.threads.relay_from_user(worker, _user(worker, user_id), second)
        hook = asyncio.create_task(asyncio.to_thread(sender_finds_the_topic_gone))
        # It commits once the hook is done, or as soon as the hook waits for it.
        async with asyncio.timeout(WAIT_LIMIT):
            while not hook.done() and not _someone_waits_for(desk, pid):
                await asyncio.sleep(0.01)
        worker.commit()
    await asyncio.wait_for(hook, WAIT_LIMIT)

    # The new topic goes first; both messages follow, in their order, placed when sent.
    pending = _pending_in_group(desk)
    assert [row.method for row in pending[:2]] == ["createForumTopic", "sendMessage"]
    relays = [row for row in pending if row.kind == RELAY_IN]
    texts = [str(row.params.get("text")) for row in relays]
    assert len(texts) == 2 and "Ainda" in texts[0] and "outra mensagem" in texts[1], texts
    assert all(pending.index(row) > 1 for row in relays)


def _ticket_in_its_topic(desk: DeskBot, person: FakeUser) -> tuple[int, str]:
    """A ticket whose topic and card are in the agents' group: the requester's id, the code."""
    with Session(desk.engine) as session, session.begin():
        ticket = store_ticket(session, desk, person, "suporte-tecnico")
        ticket.agent_chat_id = desk.group.id
        ticket.topic_thread_id, ticket.card_message_id = OLD_THREAD, OLD_CARD
        session.add(ticket)
        assert ticket.requester_id is not None
        return ticket.requester_id, ticket.code


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    assert user is not None
    return user


def _pending_in_group(desk: DeskBot) -> list[OutboxMessage]:
    with Session(desk.engine) as session:
        query = (
            select(OutboxMessage)
            .where(
                col(OutboxMessage.chat_id) == desk.group.id,
                col(OutboxMessage.status) == OutboxStatus.PENDING.value,
            )
            .order_by(col(OutboxMessage.id))
        )
        return list(session.exec(query).all())


def _someone_waits_for(desk: DeskBot, pid: int) -> bool:
    """Whether a PostgreSQL session waits for a lock the session `pid` holds."""
    with desk.engine.connect() as connection:
        return bool(connection.execute(_WAITING_FOR, {"pid": pid}).scalar_one())
