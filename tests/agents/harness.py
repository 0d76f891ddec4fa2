"""The bot with its agent desk, run in this process against the fake Telegram server.

Wired and run by tests/in_process_bot.py, as tests/e2e does, from a config file with a [desk]
section. The test settles the bot (every update processed, nothing due left in the outbox)
instead of sleeping.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, or_
from sqlmodel import Session, col, select

from bot.app import App
from bot.telegram.rate_limits import RateLimiter
from bot.telegram.runner import Runtime
from bot.two_factor import totp
from storage import (
    Agent,
    AuditEntry,
    InboxUpdate,
    OutboxMessage,
    Role,
    Ticket,
    TicketEvent,
    add_agent,
    agent_by_telegram_id,
    history,
    ticket_by_code,
)
from tests.fake_telegram import FakeChat, FakeTelegramServer, FakeUser, StoredMessage
from tests.in_process_bot import BotSite, InProcessBot, OffsetClock, wire_bot

SETTLE_TIMEOUT = 20.0
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def roomy_limiter() -> RateLimiter:
    """Limits loose enough that a test's few dozen group messages never wait."""
    return RateLimiter(
        global_per_second=1000.0,
        private_per_second=1000.0,
        group_per_minute=60_000.0,
    )


@dataclass
class DeskBot(InProcessBot):
    """The bot running in this event loop, its agents' group and store."""

    server: FakeTelegramServer
    app: App
    runtime: Runtime
    clock: OffsetClock
    group: FakeChat
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    @property
    def engine(self) -> Engine:
        """The bot's store."""
        return self.app.engine

    def _busy(self) -> bool:
        # What queues messages is looked at before the outbox, each in a statement of its own
        # (on PostgreSQL each sees what is committed when it runs): work seen finished had its
        # messages committed with it, so the outbox count after it sees them.
        if self.server.pending_updates:
            return True
        with Session(self.engine) as session:
            pending_updates = session.exec(
                select(func.count())
                .select_from(InboxUpdate)
                .where(col(InboxUpdate.status) == "pending")
            ).one()
            if pending_updates or self._work_queued(session):
                return True
            # Read after the upstream: replies committed with work seen done are due by now.
            now = self.clock()
            waiting = session.exec(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.status == "pending",
                    or_(col(OutboxMessage.not_before) <= now, col(OutboxMessage.attempts) > 0),
                )
            ).one()
            return waiting > 0

    def _work_queued(self, session: Session) -> bool:
        """Other work due that will queue messages (the live queue's timers, in QueueBot)."""
        return False

    async def settle(self, timeout: float = SETTLE_TIMEOUT) -> None:
        """Wait until every update is processed and nothing due is left to send."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        # The poller confirms updates before storing the next batch; give it one round.
        await asyncio.sleep(0.05)
        while await asyncio.to_thread(self._busy):
            self._crashed()
            if loop.time() > deadline:
                raise TimeoutError(f"the bot is still busy after {timeout}s")
            await asyncio.sleep(0.03)

    # -- people ---------------------------------------------------------------------------------

    def user(self, first_name: str = "Maria", **details: Any) -> FakeUser:
        """A new Telegram user."""
        return self.server.add_user(first_name, **details)

    def agent(
        self,
        first_name: str,
        *,
        role: Role = Role.AGENT,
        trusted: bool = True,
        enrolled: bool = True,
    ) -> FakeUser:
        """A group member registered as an agent; by default enrolled and trusted for now."""
        person = self.server.add_user(first_name)
        self.server.set_member(self.group, person, "member")
        with Session(self.engine) as session, session.begin():
            agent = add_agent(
                session,
                telegram_user_id=person.id,
                role=role,
                display_name=first_name,
                now=self.clock(),
            )
            if enrolled:
                agent.totp_secret = SECRET
                agent.totp_confirmed = True
            if trusted:
                agent.trusted_until = self.clock() + timedelta(hours=12)
        return person

    def stored_agent(self, person: FakeUser) -> Agent:
        """The agent row of a person."""
        with Session(self.engine) as session:
            agent = agent_by_telegram_id(session, telegram_user_id=person.id)
            assert agent is not None
            return agent

    def at_the_start_of_a_time_step(self) -> None:
        """Move the bot's clock to the start of the next TOTP time step, so the codes a test
        reads off it keep their step for the next 30 s however busy the machine is."""
        now = self.clock()
        boundary = (totp.time_step(now) + 1) * totp.STEP_SECONDS
        self.clock.advance(seconds=boundary - now.timestamp() + 0.001)

    def current_code(self, secret: str = SECRET) -> str:
        """The code an authenticator app shows now (by the bot's clock)."""
        return totp.code_at(secret, totp.time_step(self.clock()))

    # -- the store --------------------------------------------------------------------------------

    def ticket(self, code: str) -> Ticket:
        """The stored ticket with this code."""
        with Session(self.engine) as session:
            ticket = ticket_by_code(session, code=code)
            assert ticket is not None, code
            return ticket

    def history(self, code: str, *, for_user: bool = False) -> list[TicketEvent]:
        """The ticket's history."""
        ticket = self.ticket(code)
        assert ticket.id is not None
        with Session(self.engine) as session:
            return history(session, ticket_id=ticket.id, for_user=for_user)

    def audit(self) -> list[AuditEntry]:
        """The audit log, oldest first."""
        with Session(self.engine) as session:
            return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())

    def outbox(self) -> list[OutboxMessage]:
        """Every outbox row in queue order."""
        with Session(self.engine) as session:
            return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())

    def check_delivery(self) -> None:
        """Every update processed cleanly; no outbox row failed unexpectedly."""
        with Session(self.engine) as session:
            failed = [
                (u.update_id, u.error)
                for u in session.exec(select(InboxUpdate)).all()
                if u.status != "done" or u.error
            ]
        assert not failed, failed

    # -- what chats show ----------------------------------------------------------------------

    def texts(self, chat: FakeChat | FakeUser | int) -> list[str]:
        """The bodies of the bot's messages in a chat, oldest first."""
        return [m.body for m in self.server.sent_messages(chat)]

    def in_topic(self, thread_id: int | None) -> list[StoredMessage]:
        """The bot's messages in one topic of the agents' group."""
        return [m for m in self.server.sent_messages(self.group) if m.thread_id == thread_id]


def write_config(tmp_path: Path, desk: str) -> Path:
    """A config file with the [desk] section given."""
    path = tmp_path / "config.toml"
    path.write_text(desk, encoding="utf-8")
    return path


def make_desk_bot(
    site: BotSite, *, forum: bool = True, desk: str = "", level2: FakeChat | None = None
) -> DeskBot:
    """Configure and wire the bot with an agents' group (not started yet)."""
    group = site.server.add_group("Mesa de suporte", forum=forum)
    level2_line = f"level2_chat_id = {level2.id}\n" if level2 is not None else ""
    path = write_config(site.tmp_path, f"[desk]\n{level2_line}{desk}")
    app, runtime, clock = wire_bot(
        site,
        path,
        environ={"TRIAGEM_TELEGRAM__AGENT_CHAT_ID": str(group.id)},
        limiter=roomy_limiter(),
    )
    return DeskBot(site.server, app, runtime, clock, group)
