"""The queue bot as `python -m bot run`, a child process on the test's clock: kill -9 it.

tests/e2e's BotProcess starts and kills the child; here it runs tests/live_queue/clocked_run.py,
the same command on a clock whose offset the test writes to a file (`SharedClock`). The test
sees the child through the queue harness (`QueueProcess`, a QueueBot): the same settle, people
and store, so a test reads like the in-process ones.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from bot.app import utc_now
from tests.e2e.harness import BotProcess, bot_python
from tests.fake_telegram import FakeChat
from tests.in_process_bot import BotSite, OffsetClock

from .harness import MONDAY_10H, QueueBot, queue_kb

CHILD = Path(__file__).with_name("clocked_run.py")
START_TIMEOUT = 60.0
# As roomy as the in-process bot's limiter (tests/agents/harness.py): nothing waits for a slot.
ROOMY = {
    "TRIAGEM_TELEGRAM__MESSAGES_PER_SECOND": "1000",
    "TRIAGEM_TELEGRAM__CHAT_MESSAGES_PER_SECOND": "100",
    "TRIAGEM_TELEGRAM__GROUP_MESSAGES_PER_MINUTE": "6000",
}


class SharedClock(OffsetClock):
    """The test's clock; its offset also in a file, which the child bot reads at every call."""

    def __init__(self, path: Path, at: datetime) -> None:
        super().__init__()
        self.path = path
        self.offset = at - utc_now()
        self._publish()

    def advance(self, **delta: float) -> None:
        """Jump forward (timedelta keywords), in this process and in the child."""
        super().advance(**delta)
        self._publish()

    def _publish(self) -> None:
        # Replaced whole, so the child never reads a half-written number.
        draft = self.path.with_suffix(".draft")
        draft.write_text(repr(self.offset.total_seconds()), encoding="ascii")
        os.replace(draft, self.path)


class ClockedProcess(BotProcess):
    """BotProcess running clocked_run.py on the store at `url`, its config and clock file."""

    def __init__(self, site: BotSite, *, config: Path, clock: SharedClock, group: FakeChat) -> None:
        super().__init__(
            site.server, library=site.library, workdir=site.tmp_path, url=site.database_url
        )
        self.settings = {
            **ROOMY,
            "TRIAGEM_CONFIG": str(config),
            "TRIAGEM_TELEGRAM__AGENT_CHAT_ID": str(group.id),
            "QUEUE_TEST_CLOCK_FILE": str(clock.path),
        }

    def command(self) -> list[str]:
        """`python clocked_run.py run`: the bot's own command on the test's clock."""
        return [bot_python(), str(CHILD), "run"]

    def environment(self) -> dict[str, str]:
        """BotProcess's settings, plus the queue's config, the roomy limits and the clock."""
        return {**super().environment(), **self.settings}


class QueueProcess(QueueBot):
    """The queue harness's view of the bot in a child process (started, killed, restarted)."""

    def __init__(self, site: BotSite, *, at: datetime = MONDAY_10H) -> None:
        # Not QueueBot's fields: no app or runtime in this process, only the store and the clock.
        site.server.limits.enabled = False
        self.server = site.server
        self.group = site.server.add_group("Balcão", forum=False)
        self.clock = SharedClock(site.tmp_path / "clock-offset", at)
        config = site.tmp_path / "config.toml"
        kb = queue_kb(site.tmp_path)
        config.write_text(f'[knowledge_base]\npath = "{kb}"\n\n[desk]\n', encoding="utf-8")
        self.process = ClockedProcess(site, config=config, clock=self.clock, group=self.group)

    def __repr__(self) -> str:
        return f"QueueProcess({self.process.library}, {self.process.url})"

    @property
    def engine(self) -> Engine:
        """The bot's store."""
        return self.process.engine

    async def start(self) -> None:
        """Start the child; returns once it polls."""
        await self.process.start(START_TIMEOUT)

    async def kill(self) -> None:
        """kill -9: no cleanup, no goodbye."""
        await self.process.kill()

    def _crashed(self) -> bool:
        return self.process._crashed()

    def check_delivery(self) -> None:
        """Every update processed cleanly (QueueBot) and every outbox row sent (BotProcess)."""
        super().check_delivery()
        self.process.check_delivery()
