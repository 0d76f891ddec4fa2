"""The bot as it runs on Telegram, driven through the fake Bot API server by simulated users.

`RunningBot` is the real thing in this process, wired and run by tests/in_process_bot.py from
environment settings alone. `Person` plays one user. A *turn* is what the bot answers to one
user action: the test waits until the update is processed (inbox row done) and every reply it
queued for that chat has left the outbox, then takes the chat's messages it has not seen yet.
So a turn is exact: no sleeping, no guessing how many messages a reply has, and an extra
message shows up in the next turn instead of being missed.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, or_
from sqlmodel import Session, col, select

from bot.app import App, utc_now
from bot.telegram.rate_limits import RateLimiter
from bot.telegram.runner import Runtime
from storage import (
    POSITION,
    InboxUpdate,
    OutboxMessage,
    Ticket,
    User,
    agent_actor,
    change_status,
    make_engine,
    open_ticket,
    ticket_by_code,
    user_by_telegram_id,
)
from tests.fake_telegram import FakeTelegramServer, FakeUser, StoredMessage
from tests.in_process_bot import (
    BotSite,
    InProcessBot,
    OffsetClock,
    fake_server_settings,
    wire_bot,
)

REPO = Path(__file__).resolve().parents[2]
OPENED = re.compile(r"Código: ([A-Z]{2,4}-[A-Z0-9]{6})")
TURN_TIMEOUT = 15.0

# Telegram allows about one message a second in a private chat: a conversation test waiting out
# that second before every reply spends most of its time asleep. So conversations here run at
# ten a second per private chat, set alike on the bot ([telegram] chat_messages_per_second) and
# on the fake server, which still counts strictly (a send over it is a 429 the test sees).
# Telegram's own pace is kept by the tests that ask for pace="telegram", and by tests/telegram/.
QUICK_CHAT_MESSAGES_PER_SECOND = 10


def at_pace(server: FakeTelegramServer, pace: str) -> dict[str, str]:
    """Set the fake server's per-chat limit for `pace` ("quick" or "telegram"); the bot's
    matching TRIAGEM_* settings."""
    if pace == "telegram":
        return {}
    if pace != "quick":
        raise ValueError(f"pace is 'quick' or 'telegram', not {pace!r}")
    server.limits.private_per_second = QUICK_CHAT_MESSAGES_PER_SECOND
    return {"TRIAGEM_TELEGRAM__CHAT_MESSAGES_PER_SECOND": str(QUICK_CHAT_MESSAGES_PER_SECOND)}


@dataclass
class Turn:
    """The bot's messages in answer to one action, in the order the chat shows them."""

    messages: list[StoredMessage]

    @property
    def text(self) -> str:
        """All the messages' visible texts."""
        return "\n\n".join(m.body for m in self.messages)

    @property
    def labels(self) -> list[str]:
        """Labels of every inline button of the turn."""
        return [b["text"] for m in self.messages for row in m.inline_keyboard for b in row]

    def button(self, label: str) -> tuple[StoredMessage, str]:
        """(message, callback_data) of the button labelled `label` (else the only one containing
        it)."""
        found = [
            (m, b["text"], b["callback_data"])
            for m in self.messages
            for row in m.inline_keyboard
            for b in row
            if "callback_data" in b
        ]
        exact = [(m, data) for m, text, data in found if text == label]
        near = exact or [(m, data) for m, text, data in found if label in text]
        assert len(near) == 1, f"button {label!r} not unique in {[t for _, t, _ in found]}"
        return near[0]

    def opened_code(self) -> str:
        """The code of the ticket this turn announced."""
        codes: list[str] = OPENED.findall(self.text)
        assert len(codes) == 1, self.text
        return codes[0]


class BotView:
    """The bot seen from outside: the fake server it talks to and the store it writes."""

    def __init__(
        self, server: FakeTelegramServer, engine: Engine, clock: Callable[[], datetime]
    ) -> None:
        self.server = server
        self.engine = engine
        self.clock = clock
        # Outbox rows a test expects to fail or be dropped (a blocked user); else an error.
        self.allow_undelivered = False

    def _crashed(self) -> bool:
        """Raise if the bot is known to have stopped by itself."""
        return False

    def person(self, first_name: str = "Maria", **details: Any) -> Person:
        """A new Telegram user who will talk to the bot."""
        return Person(self, self.server.add_user(first_name, **details))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction on the bot's store (committed at the end)."""
        with Session(self.engine) as session, session.begin():
            yield session

    # -- waiting for the bot ------------------------------------------------------------------

    def _busy(self, chat_id: int, update_id: int | None) -> bool:
        with Session(self.engine) as session:
            if update_id is not None:
                status = session.exec(
                    select(InboxUpdate.status).where(InboxUpdate.update_id == update_id)
                ).first()
                if status is None or status == "pending":
                    return True
            # Read only now: every reply to the update was committed with it, so before the
            # status read above, and is due by this `now`. (Read earlier, a turn committed
            # between the two would hold replies that look scheduled for later: an empty turn.)
            now = self.clock()
            # Due messages and retries count; a coalesced position edit waiting out its
            # minute does not (it belongs to a later turn).
            waiting = session.exec(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.chat_id == chat_id,
                    OutboxMessage.status == "pending",
                    or_(col(OutboxMessage.not_before) <= now, col(OutboxMessage.attempts) > 0),
                )
            ).one()
            return waiting > 0

    async def settle(
        self, chat_id: int, update_id: int | None = None, timeout: float = TURN_TIMEOUT
    ) -> None:
        """Wait until `update_id` is processed and nothing due for the chat is left to send."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while await asyncio.to_thread(self._busy, chat_id, update_id):
            self._crashed()
            if loop.time() > deadline:
                sent = [m.body for m in self.server.sent_messages(chat_id)]
                raise TimeoutError(
                    f"chat {chat_id}: update {update_id} or its replies still pending after "
                    f"{timeout}s; sent so far: {sent}"
                )
            await asyncio.sleep(0.03)

    def unseen(self, chat_id: int) -> list[StoredMessage]:
        """The chat's bot messages no turn has returned yet (and marks them seen)."""
        claimed = self.server.state.claimed
        fresh = [
            m
            for m in self.server.sent_messages(chat_id)
            if (m.chat.id, m.message_id) not in claimed
        ]
        claimed.update((m.chat.id, m.message_id) for m in fresh)
        return fresh

    async def turn(
        self, chat_id: int, update_id: int | None = None, timeout: float = TURN_TIMEOUT
    ) -> Turn:
        """Settle, then the messages the chat got since the last turn."""
        await self.settle(chat_id, update_id, timeout)
        return Turn(self.unseen(chat_id))

    # -- the store, as an agent or a test sees it ---------------------------------------------

    def user_row(self, person: Person) -> User:
        """The stored user for a person."""
        with Session(self.engine) as session:
            user = user_by_telegram_id(session, telegram_user_id=person.id)
            assert user is not None, f"user {person.id} is not stored"
            return user

    def ticket(self, code: str) -> Ticket:
        """The stored ticket with this code."""
        with Session(self.engine) as session:
            ticket = ticket_by_code(session, code=code)
            assert ticket is not None, code
            return ticket

    def tickets(self) -> list[Ticket]:
        """Every ticket, oldest first."""
        with Session(self.engine) as session:
            return list(session.exec(select(Ticket).order_by(col(Ticket.id))).all())

    def outbox(self, chat_id: int | None = None) -> list[OutboxMessage]:
        """Outbox rows (of one chat), in the order they were queued."""
        with Session(self.engine) as session:
            query = select(OutboxMessage).order_by(col(OutboxMessage.id))
            if chat_id is not None:
                query = query.where(OutboxMessage.chat_id == chat_id)
            return list(session.exec(query).all())

    def inbox(self) -> list[InboxUpdate]:
        """Inbox rows in arrival order."""
        with Session(self.engine) as session:
            return list(session.exec(select(InboxUpdate).order_by(col(InboxUpdate.id))).all())

    def check_delivery(self) -> None:
        """Every update processed without error; every outbox row sent (unless allowed)."""
        failed_updates = [
            (u.update_id, u.error) for u in self.inbox() if u.status != "done" or u.error
        ]
        assert not failed_updates, failed_updates
        if not self.allow_undelivered:
            undelivered = [
                (m.id, m.chat_id, m.method, m.status, m.error)
                for m in self.outbox()
                if m.status not in ("sent", "pending")
                and not superseded(m)
                and not self._answered_before_a_kill(m)
            ]
            assert not undelivered, undelivered

    def _answered_before_a_kill(self, message: OutboxMessage) -> bool:
        """A callback answer dropped as a repeat: Telegram had the first one (it reached the
        server before the bot was killed, so the bot never learnt it was sent)."""
        if message.method != "answerCallbackQuery" or message.status != "dropped":
            return False
        query = self.server.state.callbacks.get(str(message.params["callback_query_id"]))
        return query is not None and query.answer is not None


class RunningBot(InProcessBot, BotView):
    """The bot running in this event loop against the fake server."""

    def __init__(
        self,
        server: FakeTelegramServer,
        app: App,
        runtime: Runtime,
        clock: OffsetClock,
        library: str,
    ) -> None:
        super().__init__(server, app.engine, clock)
        self.app = app
        self.runtime = runtime
        self.offset_clock = clock
        self.library = library
        self.stop = asyncio.Event()
        self.task = None

    def advance(self, **delta: float) -> None:
        """Move the bot's clock forward (timedelta keywords)."""
        self.offset_clock.advance(**delta)

    def move_ticket(self, code: str, *statuses: str) -> None:
        """An agent moves the ticket (one transaction) and the runtime pushes the news."""
        with self.session() as session:
            ticket = ticket_by_code(session, code=code)
            assert ticket is not None, code
            for status in statuses:
                change_status(
                    session, ticket=ticket, to=status, actor=agent_actor(77), now=self.clock()
                )
            self.runtime.news.status_changed(session, ticket)

    def queue_ticket(self, person: Person, description: str) -> str:
        """A support ticket (Consulta Técnica) for a known user, created straight in the store."""
        offer = self.app.kb.offers["suporte-tecnico"]
        with self.session() as session:
            user = user_by_telegram_id(session, telegram_user_id=person.id)
            assert user is not None
            ticket = open_ticket(
                session,
                offer_id=offer.id,
                code_prefix=offer.code_prefix,
                category="consulta-tecnica",
                priority=3,
                requester_id=user.id,
                fields={"descricao": description},
                target_hours=None,
                now=self.clock(),
            )
            return ticket.code


def superseded(message: OutboxMessage) -> bool:
    """A queue-position message dropped on purpose: its ticket left the queue before it went."""
    return message.kind == POSITION and message.status == "dropped"


class Person:
    """One Telegram user in a private chat with the bot."""

    def __init__(self, bot: BotView, user: FakeUser) -> None:
        self.bot = bot
        self.user = user
        self.last = Turn([])

    @property
    def id(self) -> int:
        """The user's (and their private chat's) id."""
        return self.user.id

    def _last_update_id(self) -> int:
        return int(self.bot.server.pending_updates[-1]["update_id"])

    async def _answer(self, timeout: float) -> Turn:
        self.last = await self.bot.turn(self.id, self._last_update_id(), timeout)
        return self.last

    async def say(self, text: str, timeout: float = TURN_TIMEOUT) -> Turn:
        """Write a message; the bot's answer."""
        self.bot.server.user_sends_text(self.user, text)
        return await self._answer(timeout)

    async def send_document(
        self, data: bytes, file_name: str, timeout: float = TURN_TIMEOUT
    ) -> Turn:
        """Send a file; the bot's answer."""
        self.bot.server.user_sends_document(self.user, data, file_name)
        return await self._answer(timeout)

    async def press(self, label: str, timeout: float = TURN_TIMEOUT) -> Turn:
        """Tap a button of the last answer; the bot's answer (the callback must be answered)."""
        message, data = self.last.button(label)
        return await self.press_data(message, data, timeout)

    async def press_data(
        self, message: StoredMessage, data: str, timeout: float = TURN_TIMEOUT
    ) -> Turn:
        """Tap the button with `data` on `message`; the bot's answer."""
        query = self.bot.server.user_presses_button(self.user, message, data)
        turn = await self._answer(timeout)
        answered = self.bot.server.callback(query.id).answer
        assert answered is not None, f"callback {data!r} was not answered"
        return turn

    async def news(self, timeout: float = TURN_TIMEOUT) -> Turn:
        """What the bot sent on its own (pushes) once everything due is delivered."""
        self.last = await self.bot.turn(self.id, None, timeout)
        return self.last


def bot_python() -> str:
    """The interpreter of the project's virtualenv (what `make run` uses)."""
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


class BotProcess(BotView):
    """`python -m bot run` as a child process, on a SQLite file in `workdir` (or the store at
    `url`): kill -9 it."""

    def __init__(
        self,
        server: FakeTelegramServer,
        *,
        library: str,
        workdir: Path,
        url: str | None = None,
        pace: str = "quick",
    ) -> None:
        self.url = url or f"sqlite:///{workdir / 'data' / 'triagem.db'}"
        super().__init__(server, make_engine(self.url), utc_now)
        self.library = library
        self.workdir = workdir
        self.pace_settings = at_pace(server, pace)
        self.process: asyncio.subprocess.Process | None = None
        self.logs: list[Path] = []

    def environment(self) -> dict[str, str]:
        """The process environment: this one without TRIAGEM_*, plus the bot's settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGEM_")}
        env.update(
            fake_server_settings(
                self.server, library=self.library, database_url=self.url, poll_timeout=1
            )
        )
        env.update(self.pace_settings)
        return env

    def command(self) -> list[str]:
        """The child's command line: `python -m bot run`."""
        return [bot_python(), "-m", "bot", "run"]

    async def start(self, timeout: float = 60.0) -> None:
        """Start the bot and wait until it polls."""
        assert self.process is None or self.process.returncode is not None, "already running"
        started = len(self.server.requests_for("deleteWebhook"))
        log = self.workdir / f"bot-{len(self.logs) + 1}.log"
        self.logs.append(log)
        with log.open("wb") as output:
            self.process = await asyncio.create_subprocess_exec(
                *self.command(),
                cwd=self.workdir,
                env=self.environment(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
            )
        await self.server.wait_until(
            lambda: len(self.server.requests_for("deleteWebhook")) > started or self._crashed(),
            timeout=timeout,
            what="the bot process to start polling",
        )

    def _crashed(self) -> bool:
        if self.process is not None and self.process.returncode is not None:
            raise AssertionError(
                f"the bot process exited with {self.process.returncode}: {self.log_tail()}"
            )
        return False

    def log_tail(self) -> str:
        """The end of the latest process log."""
        return self.logs[-1].read_text(errors="replace")[-3000:] if self.logs else ""

    async def kill(self) -> None:
        """kill -9: no cleanup, no goodbye."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()


def make_running_bot(
    site: BotSite, *, limiter: RateLimiter | None = None, environ: dict[str, str] | None = None
) -> RunningBot:
    """Configure, build and wire the bot for the fake server (not started yet)."""
    path = site.tmp_path / "config.toml"
    path.write_text("# e2e: everything comes from the environment\n", encoding="utf-8")
    app, runtime, clock = wire_bot(site, path, environ=environ, limiter=limiter)
    return RunningBot(site.server, app, runtime, clock, site.library)
