"""kill -9 during a call window, restart on the same store: the window loses and doubles nothing.

The bot is `python -m bot run` in a child process (tests/live_queue/bot_process.py) on the
test's clock. Maria is called ("É a sua vez!" delivered), João waits behind her; 20 s into her
minute the process is killed with SIGKILL and started again 20 s later. Then either Maria
confirms with "Estou aqui" (the window closes once, no no-show follows), or the clock passes
the minute (the no-show fires once and João is called once).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.fake_telegram import FakeUser
from tests.in_process_bot import ALSO_ON_POSTGRESQL, BotSite

from .bot_process import QueueProcess

pytestmark = [pytest.mark.slow, ALSO_ON_POSTGRESQL]
CALL = "É a sua vez!"


@pytest_asyncio.fixture
async def queue(bot_site: BotSite) -> AsyncIterator[QueueProcess]:
    """The queue bot in a child process, started at Monday 10:00 in Brasília; killed after."""
    bot = QueueProcess(bot_site)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.kill()
    try:
        bot.check_delivery()
    finally:
        bot.engine.dispose()


def count(bot: QueueProcess, chat: FakeUser, words: str) -> int:
    """How many of the bot's messages in a chat contain `words`."""
    return sum(words in text for text in bot.texts(chat))


async def called_then_killed(bot: QueueProcess) -> tuple[FakeUser, FakeUser, FakeUser]:
    """Maria and João join, Ana calls Maria; killed 20 s into her minute, restarted 20 s later.

    (ana, maria, joao); the restarted bot has settled, Maria is still being called."""
    ana = bot.agent("Ana")
    maria, joao = bot.user("Maria"), bot.user("João")
    await bot.join(maria)
    await bot.join(joao)
    bot.server.user_sends_text(ana, "/proximo", chat=bot.group)
    await bot.settle()
    assert CALL in bot.last(maria).body
    assert [t.status for t in bot.timers()] == ["pending"]

    bot.clock.advance(seconds=20)
    await bot.settle()
    await bot.kill()
    bot.clock.advance(seconds=20)
    await bot.start()
    await bot.settle()

    # Inside the minute, the restarted bot keeps the window as it was: nothing fired, no repeat.
    assert [e.status for e in bot.entries()] == ["called", "waiting"]
    assert [t.status for t in bot.timers()] == ["pending"]
    assert (count(bot, maria, CALL), count(bot, joao, CALL)) == (1, 0)
    return ana, maria, joao


async def test_killed_in_the_window_estou_aqui_after_the_restart_confirms_once(
    queue: QueueProcess,
) -> None:
    _, maria, joao = await called_then_killed(queue)
    maria_entry = queue.entries()[0]
    call = queue.with_button(maria, f"q:h:{maria_entry.id}")

    queue.server.user_presses_button(maria, call, f"q:h:{maria_entry.id}")
    await queue.settle()
    assert "Presença confirmada" in queue.texts(maria)[-1]
    assert [e.status for e in queue.entries()] == ["serving", "waiting"]
    assert [t.status for t in queue.timers()] == ["cancelled"]

    # Past the minute: the cancelled window fires nothing and nobody else is called.
    queue.clock.advance(minutes=1)
    await queue.settle()
    assert [e.status for e in queue.entries()] == ["serving", "waiting"]
    assert [t.status for t in queue.timers()] == ["cancelled"]
    assert count(queue, maria, CALL) == count(queue, maria, "Presença confirmada") == 1
    assert count(queue, maria, "Não tem problema") == 0
    assert count(queue, joao, CALL) == 0
    actions = [e.action for e in queue.audit() if e.action.startswith("queue_")]
    assert actions == ["queue_join", "queue_join", "queue_call", "queue_confirm"]
    assert sum("Maria confirmou presença" in t for t in queue.group_texts()) == 1


async def test_killed_in_the_window_the_minute_ends_it_once_and_calls_the_next_once(
    queue: QueueProcess,
) -> None:
    _, maria, joao = await called_then_killed(queue)
    maria_entry, joao_entry = queue.entries()

    queue.clock.advance(seconds=21)  # 61 s after the call
    await queue.settle()
    assert [e.status for e in queue.entries()] == ["missed", "called"]
    # Maria's window fired once; João's is the only one pending.
    assert [t.status for t in queue.timers()] == ["fired", "pending"]
    missed = [e.details for e in queue.audit() if e.action == "queue_missed"]
    assert missed == [{"entry": maria_entry.id}]
    calls = [e.details["entry"] for e in queue.audit() if e.action == "queue_call"]
    assert calls == [maria_entry.id, joao_entry.id]

    # What each one got: one call each, one polite no-show; the group told once of each.
    assert (count(queue, maria, CALL), count(queue, joao, CALL)) == (1, 1)
    assert count(queue, maria, "Não tem problema") == 1
    group = queue.group_texts()
    assert sum("Maria não confirmou em 1 minuto" in t for t in group) == 1
    assert sum("Ana chamou João" in t for t in group) == 1
