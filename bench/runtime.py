"""Telegram runtime benchmark: inbox to outbox, outbound rate under Telegram's limits, latency.

Usage: python bench/runtime.py [--write docs/benchmarks.md] [--postgres URL] [--only a,b,c,d]
                               [--updates 2000] [--batches 1,32] [--chats 1000] [--rate 50]
                               [--seconds 20] [--core N] [--profile]

(a) Updates per second from inbox to outbox on ONE dispatcher worker: the inbox is pre-filled
    with N realistic updates (conversations of simulated users, recorded first against a scratch
    store), then `Dispatcher.process_batch` drains them, up to `batch_size` updates of distinct
    chats per transaction (claim, then per update `UserTurn.handle`, outbox rows, done; one commit;
    no savepoints: a failed batch is retried one update per transaction), on SQLite and
    PostgreSQL, once per batch size (1: a transaction per update). The process is pinned to
    one core.
(b) Sustained outbound rate: the real `Sender` against the fake Bot API server counting
    Telegram's limits the strict way (sliding windows: 30 sends in any second overall, 1 per
    private chat), 1,000 chats with one queued message each, then 100 chats with 10 each;
    messages/s, the 429s the server served and the most sends it saw in any sliding second.
(c) Latency: `python -m bot`'s runtime in a child process pinned to one core, the fake server
    and the simulated users in this process on another; users send 50 updates/s for 20 s; p99
    from the update's creation at the server to the bot's first reply message arriving there.
(d) 1,000 users send /start at once to the bot in a child process (as in (c)) through the strict
    fake server: messages/s until every reply is out, and the 429s served.

--write with every part replaces the whole `## Runtime` section; with some parts, only their
`### (x)` subsections.
"""

# ruff: noqa: E402  (the import path is fixed before the project's imports, see below)
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Run as a script, Python puts bench/ first on the path: the project (and tests/, for the fake
# Telegram server) must be importable instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse
import asyncio
import bisect
import collections
import contextlib
import cProfile
import datetime as dt
import importlib.util
import io
import logging
import os
import pstats
import random
import re
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, ClassVar

from sqlalchemy import Engine, event
from sqlmodel import Session, func, select

from bot.app import App, build_app, utc_now
from bot.config import Config, StorageConfig, load_config
from bot.database import open_store
from bot.outbound import Outbound
from bot.telegram.drivers import make_driver
from bot.telegram.rate_limits import RateLimiter
from bot.telegram.runner import DISPATCH_WORKERS, Runtime
from bot.telegram.sender import Sender
from bot.telegram.updates import update_chat_id
from bot.user_turn import Incoming, UserTurn
from flows.events import Attachment, Button, Event, Text
from storage import InboxUpdate, OutboxMessage, enqueue, make_engine, record_update
from storage.writer_gate import gate_of
from tests.fake_telegram import FakeTelegramServer, LimitConfig, StoredMessage

SECTION = "## Runtime"
TARGET_RATE = (
    29.0  # messages/s to 1,000 chats with Telegram's 30/s overall limit, zero 429 (issue 12)
)
START = dt.datetime(2025, 6, 2, 12, 0, tzinfo=dt.UTC)  # a Monday, 09:00 in Brasília
TICK = dt.timedelta(milliseconds=100)


def load_flows_bench() -> ModuleType:
    """bench/flows.py (its simulated users and machine helpers); named so it cannot shadow
    the `flows` package."""
    spec = importlib.util.spec_from_file_location("bench_flows", _HERE / "flows.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_flows"] = module
    spec.loader.exec_module(module)
    sys.path[:] = [str(REPO)] + [p for p in sys.path if p != str(REPO)]
    return module


FLOWS = load_flows_bench()


class SteppingClock:
    """Moves 100 ms at every reading, from a Monday morning (the offices attend)."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        self.now += TICK
        return self.now


# ---------------------------------------------------------------------------------------------
# Bot API JSON for simulated users' events


class UpdateMaker:
    """Bot API Update objects, as Telegram sends them, for the simulated users' events."""

    BOT: ClassVar[dict[str, Any]] = {
        "id": 123456789,
        "is_bot": True,
        "first_name": "Triagem",
        "username": "triagem_bot",
    }

    def __init__(self) -> None:
        self.update_id = 500_000_000
        self.message_ids: collections.Counter[int] = collections.Counter()

    def make(self, user_id: int, event: Event, when: int) -> dict[str, Any]:
        """The update for one event of one user in their private chat."""
        self.update_id += 1
        self.message_ids[user_id] += 1
        person = {"id": user_id, "is_bot": False, "first_name": "Pessoa", "language_code": "pt-br"}
        chat = {"id": user_id, "type": "private", "first_name": "Pessoa"}
        message: dict[str, Any] = {
            "message_id": self.message_ids[user_id],
            "from": person,
            "chat": chat,
            "date": when,
        }
        if isinstance(event, Button):
            shown = {**message, "from": self.BOT, "text": "Escolha uma opção."}
            query = {
                "id": str(9_000_000_000 + self.update_id),
                "from": person,
                "message": shown,
                "chat_instance": str(user_id * 7),
                "data": event.data,
            }
            return {"update_id": self.update_id, "callback_query": query}
        if isinstance(event, Attachment):
            message["photo"] = [
                {
                    "file_id": event.file_id,
                    "file_unique_id": event.file_id[-12:],
                    "width": 1280,
                    "height": 720,
                    "file_size": event.size,
                }
            ]
        elif isinstance(event, Text):
            message["text"] = event.text
        return {"update_id": self.update_id, "message": message}


def record_conversations(app: App, texts: Sequence[str], count: int) -> list[dict[str, Any]]:
    """`count` updates of simulated users (recorded against a scratch store), interleaved as
    they arrive when about 50 people talk to the bot at once."""
    rng = random.Random(11)
    conversations: list[list[tuple[int, Event]]] = []
    total = 0
    with scratch_sqlite() as url:
        engine = open_store(Config(storage=StorageConfig(url=url)))
        desk = UserTurn(app.kb, app.desk.triage, app.renderer, SteppingClock())
        while total < count:
            user = FLOWS.User(20_000 + len(conversations), rng.choice(texts), app.kb, rng)
            events: list[tuple[int, Event]] = []
            calls: list[Outbound] = []
            while total < count and (event := user.next_event(calls)) is not None:
                incoming = Incoming(user.telegram_id, user.telegram_id, "Pessoa", event)
                with Session(engine) as session, session.begin():
                    calls = desk.handle(session, incoming)
                events.append((user.telegram_id, event))
                user.turns += 1
                total += 1
            conversations.append(events)
        engine.dispose()
    maker = UpdateMaker()
    updates: list[dict[str, Any]] = []
    active: collections.deque[collections.deque[tuple[int, Event]]] = collections.deque()
    waiting = collections.deque(collections.deque(c) for c in conversations)
    when = int(START.timestamp())
    while active or waiting:
        while waiting and len(active) < 50:
            active.append(waiting.popleft())
        talk = active.popleft()
        user_id, event = talk.popleft()
        updates.append(maker.make(user_id, event, when))
        when += 1
        if talk:
            active.append(talk)
    return updates


# ---------------------------------------------------------------------------------------------
# Stores


@contextlib.contextmanager
def scratch_sqlite() -> Iterator[str]:
    """URL of a fresh SQLite file, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="triagem-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


@contextlib.contextmanager
def store(backend: str, postgres: str | None) -> Iterator[str]:
    """A fresh database of the backend."""
    if backend == "sqlite":
        with scratch_sqlite() as url:
            yield url
        return
    assert postgres is not None
    with FLOWS.postgres_store(postgres) as url:
        yield url


def make_app(
    url: str, environ: Mapping[str, str] | None = None, clock: Callable[[], dt.datetime] = utc_now
) -> App:
    """The bot's parts on this store, configured as `triagem run` does (environment overrides)."""
    env = {"TRIAGEM_STORAGE__URL": url, **(environ or {})}
    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "config.toml"
        empty.write_text("", encoding="utf-8")
        return build_app(load_config(empty, env), clock)


class NoDriver:
    """A driver for parts that must never call Telegram (the dispatcher alone)."""

    name = "none"

    async def get_me(self) -> dict[str, Any]:
        raise AssertionError("no Telegram calls in this part")

    async def get_updates(
        self, *, offset: int | None, timeout: int, limit: int
    ) -> list[dict[str, Any]]:
        raise AssertionError("no Telegram calls in this part")

    async def call(self, method: str, params: Mapping[str, Any]) -> Any:
        raise AssertionError("no Telegram calls in this part")

    async def close(self) -> None:
        return None


class LockWaits:
    """Time spent starting transactions: on SQLite, BEGIN IMMEDIATE waits for the write lock."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0
        self.seconds = 0.0
        self.worst = 0.0
        # Around the store's own BEGIN (IMMEDIATE on SQLite, which waits for a writer of another
        # process); the wait in this process's writer gate is the gate's own count.
        event.listen(engine, "begin", self._started, insert=True)
        event.listen(engine, "begin", self._begun)

    def _started(self, connection: Any) -> None:
        connection.info["bench_begin"] = time.perf_counter()

    def _begun(self, connection: Any) -> None:
        took = time.perf_counter() - connection.info.pop("bench_begin", time.perf_counter())
        self.count += 1
        self.seconds += took
        self.worst = max(self.worst, took)

    @property
    def mean_ms(self) -> float:
        """Mean time to begin a transaction, in ms."""
        return self.seconds / self.count * 1000 if self.count else 0.0

    def line(self) -> str:
        """For the child's log, read back by the parent."""
        # On SQLite a transaction first waits in this process's writer gate, which runs
        # before any other "begin" listener: its own count of the waits is added here.
        gate = gate_of(self.engine)
        seconds = self.seconds + (gate.waited if gate else 0.0)
        worst = max(self.worst, gate.longest if gate else 0.0)
        return f"LOCKWAITS {self.count} {seconds:.6f} {worst:.6f}"


# ---------------------------------------------------------------------------------------------
# (a) inbox -> outbox on one worker


@dataclass(frozen=True)
class InboxResult:
    """Figures of one backend for (a)."""

    backend: str
    version: str
    batch: int
    updates: int
    transactions: int
    seconds: float
    p50_ms: float
    p99_ms: float
    outbox_rows: int
    failed: int
    lock_wait_ms: float

    @property
    def per_second(self) -> float:
        """Updates processed per wall-clock second."""
        return self.updates / self.seconds

    @property
    def per_commit(self) -> float:
        """Updates per transaction, on average."""
        return self.updates / self.transactions


def inbox_to_outbox(
    backend: str,
    url: str,
    updates: Sequence[dict[str, Any]],
    profiler: cProfile.Profile | None,
    batch: int,
) -> InboxResult:
    """Pre-fill the inbox, then drain it with one worker's `process_batch`, timed."""
    clock = SteppingClock()
    app = make_app(url, clock=clock)
    try:
        runtime = Runtime(app, NoDriver(), workers=1)
        runtime.dispatcher.batch_size = batch
        waits = LockWaits(app.engine)
        with Session(app.engine) as session, session.begin():
            for update in updates:
                record_update(
                    session,
                    update_id=update["update_id"],
                    chat_id=chat_of(update),
                    payload=update,
                    now=clock(),
                )
        latencies = []  # per transaction
        handled = 0
        if profiler is not None:
            profiler.enable()
        started = time.perf_counter()
        while True:
            begin = time.perf_counter()
            count = runtime.dispatcher.process_batch()
            if not count:
                break
            latencies.append(time.perf_counter() - begin)
            handled += count
        seconds = time.perf_counter() - started
        if profiler is not None:
            profiler.disable()
        with Session(app.engine) as session:
            outbox = session.exec(select(func.count()).select_from(OutboxMessage)).one()
            done = session.exec(
                select(func.count()).select_from(InboxUpdate).where(InboxUpdate.status == "done")
            ).one()
            failed = session.exec(
                select(func.count()).select_from(InboxUpdate).where(InboxUpdate.error.is_not(None))  # type: ignore[union-attr]
            ).one()
        assert done == len(updates), f"{done} of {len(updates)} updates done"
        cut = statistics.quantiles(latencies, n=100, method="inclusive")
        return InboxResult(
            backend=backend,
            version=FLOWS.store_settings(app.engine)["version"],
            batch=batch,
            updates=handled,
            transactions=len(latencies),
            seconds=seconds,
            p50_ms=statistics.median(latencies) * 1000,
            p99_ms=cut[98] * 1000,
            outbox_rows=int(outbox),
            failed=int(failed),
            lock_wait_ms=waits.mean_ms,
        )
    finally:
        app.engine.dispose()


def chat_of(update: Mapping[str, Any]) -> int:
    """The chat of an update (private chats only here)."""
    chat = update_chat_id(update)
    assert chat is not None
    return chat


# ---------------------------------------------------------------------------------------------
# (b) sustained outbound rate


@dataclass(frozen=True)
class OutboundResult:
    """One run of (b)."""

    library: str
    chats: int
    per_chat: int
    seconds: float
    sustained: float
    served_429: int
    server_errors: int
    max_in_one_second: int
    lifted: bool
    lock_wait_ms: float

    @property
    def messages(self) -> int:
        """Messages delivered."""
        return self.chats * self.per_chat

    @property
    def overall(self) -> float:
        """Messages over the whole run's wall time (first call to last answer)."""
        return self.messages / self.seconds


async def outbound_rate(
    library: str, chats: int, per_chat: int, *, lifted: bool = False
) -> OutboundResult:
    """Queue chats x per_chat status messages, let the real Sender deliver them, time it.

    `lifted`: no limits on either side, to find what the sender itself can push on one core.
    """
    limits = LimitConfig(enabled=not lifted)
    async with FakeTelegramServer(limits=limits) as server:
        people = [server.add_user(f"Pessoa {n}") for n in range(chats)]
        for person in people:
            server.chat_of(person).bot_started = True  # they wrote to the bot before
        with scratch_sqlite() as url:
            app = make_app(url)
            text_of = app.renderer.render
            with Session(app.engine) as session, session.begin():
                for round_ in range(per_chat):
                    for n, person in enumerate(people):
                        body = text_of(
                            "ticket_status_changed",
                            {"code": f"SUP-{n:06d}", "status": "em_atendimento"},
                        )
                        enqueue(
                            session,
                            chat_id=person.id,
                            method="sendMessage",
                            params={"text": body + f" ({round_ + 1})", "parse_mode": "HTML"},
                            now=dt.datetime.now(dt.UTC),
                            kind="status",
                        )
            driver = make_driver(library, server.token, server.base_url)
            waits = LockWaits(app.engine)
            limiter = (
                RateLimiter(global_per_second=100_000, private_per_second=1000) if lifted else None
            )
            sender = Sender(app.engine, driver, lambda: dt.datetime.now(dt.UTC), limiter=limiter)
            stop = asyncio.Event()
            total = chats * per_chat
            task = asyncio.create_task(sender.run(stop))
            try:
                await server.wait_until(
                    lambda: server.stats.calls["sendMessage"] - server.stats.served_429 >= total,
                    timeout=total / 20 + 60,
                    what="every message to be delivered",
                )
            finally:
                stop.set()
                await task
                await driver.close()
                app.engine.dispose()
        sent = [r.at for r in server.requests_for("sendMessage") if r.status == 200]
        first = min(r.at for r in server.requests_for("sendMessage"))
        # Sustained: the steady middle, without the first and last second of ramp.
        inner = [at for at in sent if first + 1 <= at <= sent[-1] - 1]
        sustained = (len(inner) - 1) / (inner[-1] - inner[0]) if len(inner) > 1 else 0.0
        return OutboundResult(
            library=library,
            chats=chats,
            per_chat=per_chat,
            seconds=max(sent) - first,
            sustained=sustained,
            served_429=server.stats.served_429,
            server_errors=server.stats.server_errors,
            max_in_one_second=most_in_any_second(sent),
            lifted=lifted,
            lock_wait_ms=waits.mean_ms,
        )


def most_in_any_second(times: Sequence[float]) -> int:
    """The most arrivals in any sliding second [t, t + 1) (what a strict Telegram counts)."""
    ordered = sorted(times)
    return max(
        (bisect.bisect_left(ordered, at + 1.0) - n for n, at in enumerate(ordered)), default=0
    )


@dataclass(frozen=True)
class BurstResult:
    """One run of (b'): many users send /start at once to the bot in a child process."""

    library: str
    users: int
    messages: int
    seconds: float
    sustained: float
    served_429: int
    max_in_one_second: int
    answered: int

    @property
    def overall(self) -> float:
        """Messages over the whole run's wall time (first reply to last)."""
        return self.messages / self.seconds if self.seconds else 0.0


async def start_burst(
    library: str, count: int, url: str, bot_core: int | None, logs: Path
) -> BurstResult:
    """`count` users send /start within a few milliseconds; the bot (as `triagem run` wires it,
    in a child process) answers them all through the strict fake server."""
    log = logs / f"burst-{library}.log"
    async with FakeTelegramServer(limits=LimitConfig()) as server:
        users = [server.add_user(f"Pessoa {n}") for n in range(count)]
        child = spawn_bot(server, library, url, 30, bot_core, log)
        try:
            await server.wait_until(
                lambda: server.requests_for("deleteWebhook") or child.poll() is not None,
                timeout=120,
                what="the bot to start",
            )
            if child.poll() is not None:
                raise SystemExit(f"the bot exited: {log.read_text(errors='replace')[-2000:]}")
            for user in users:
                server.user_sends_text(user, "/start")
            await server.wait_until(
                lambda: all(server.sent_messages(user) for user in users),
                timeout=count / 10 + 120,
                what="a reply to every user",
            )
            # Then until the outbox is empty: every message of every reply has gone out.
            deadline = time.monotonic() + 120
            while await asyncio.to_thread(pending_outbox, url) and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
        finally:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        sends = [r for r in server.requests_for("sendMessage") if r.status == 200]
        sent = sorted(r.at for r in sends)
        inner = [at for at in sent if sent[0] + 1 <= at <= sent[-1] - 1]
        sustained = (len(inner) - 1) / (inner[-1] - inner[0]) if len(inner) > 1 else 0.0
        return BurstResult(
            library=library,
            users=count,
            messages=len(sent),
            seconds=sent[-1] - sent[0] if sent else 0.0,
            sustained=sustained,
            served_429=server.stats.served_429,
            max_in_one_second=most_in_any_second(sent),
            answered=sum(1 for user in users if server.sent_messages(user)),
        )


# ---------------------------------------------------------------------------------------------
# (c) latency at 50 updates/s, bot in a child process


@dataclass
class LatencyResult:
    """One run of (c)."""

    label: str
    offered: float
    updates: int
    latencies: list[float] = field(default_factory=list)
    missing: int = 0
    backlog_end: int = 0
    served_429: int = 0
    lock_waits: tuple[int, float, float] = (0, 0.0, 0.0)  # transactions, seconds, worst

    @property
    def lock_wait_ms(self) -> float:
        """Mean time the bot's transactions waited to begin, in ms."""
        count, seconds, _ = self.lock_waits
        return seconds / count * 1000 if count else float("nan")

    def quantile(self, q: int) -> float:
        """The q-th percentile in ms (of the replies that arrived)."""
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1] * 1000


class LoadUsers:
    """Many users: each waits for the bot's reply, then (after a pause) writes or taps again."""

    def __init__(self, server: FakeTelegramServer, texts: Sequence[str], count: int) -> None:
        self.server = server
        self.texts = texts
        self.rng = random.Random(5)
        self.users = [server.add_user(f"Pessoa {n}") for n in range(count)]
        self.idle: collections.deque[int] = collections.deque(range(count))
        self.waiting: dict[int, tuple[int, float, bool]] = {}  # chat -> (index, sent at, measured)
        self.keyboards: dict[int, StoredMessage] = {}
        self.result: LatencyResult | None = None
        self.latencies: list[float] = []
        original = server.state.add_message

        def stored(message: StoredMessage) -> StoredMessage:
            found = original(message)
            if message.from_bot and not message.service:
                self._arrived(message)
            return found

        server.state.add_message = stored  # type: ignore[method-assign]

    def _arrived(self, message: StoredMessage) -> None:
        chat = message.chat.id
        if message.inline_keyboard:
            self.keyboards[chat] = message
        pending = self.waiting.pop(chat, None)
        if pending is None:
            return
        index, sent_at, measured = pending
        if measured:
            self.latencies.append(time.perf_counter() - sent_at)
        # A short read before the next message; replies still arriving are not waited for.
        asyncio.get_running_loop().call_later(2.0 + self.rng.random() * 3, self.idle.append, index)

    def act(self, measured: bool) -> bool:
        """One update from the next idle user; False when every user is waiting."""
        if not self.idle:
            return False
        index = self.idle.popleft()
        user = self.users[index]
        keyboard = self.keyboards.pop(user.id, None)
        if keyboard is not None and self.rng.random() < 0.7:
            data = self.rng.choice(keyboard.button_data())
            self.server.user_presses_button(user, keyboard, data, strict=False)
        else:
            self.server.user_sends_text(user, self.rng.choice(self.texts))
        self.waiting[user.id] = (index, time.perf_counter(), measured)
        return True


async def latency_run(
    label: str,
    *,
    library: str,
    rate: float,
    seconds: float,
    texts: Sequence[str],
    global_rate: int,
    url: str,
    bot_core: int | None,
    logs: Path,
) -> LatencyResult:
    """The bot as a child process on the store at `url` under `rate` updates/s."""
    limits = LimitConfig(global_per_second=global_rate)
    log = logs / (re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-") + ".log")
    async with FakeTelegramServer(limits=limits) as server:
        users = LoadUsers(server, texts, count=int(rate * 30))
        result = LatencyResult(label, rate, 0)
        child = spawn_bot(server, library, url, global_rate, bot_core, log)
        try:
            await server.wait_until(
                lambda: server.requests_for("deleteWebhook") or child.poll() is not None,
                timeout=120,
                what="the bot to start",
            )
            if child.poll() is not None:
                raise SystemExit(f"the bot exited: {log.read_text(errors='replace')[-2000:]}")
            warmup = 3.0
            loop = asyncio.get_running_loop()
            begin = loop.time()
            sent = 0
            while (elapsed := loop.time() - begin) < warmup + seconds:
                due = int(elapsed * rate)
                while sent < due:
                    measured = elapsed >= warmup
                    if users.act(measured):
                        result.updates += measured
                    sent += 1
                await asyncio.sleep(0.005)
            result.backlog_end = await asyncio.to_thread(pending_outbox, url)
            deadline = loop.time() + 120
            while any(m for _, _, m in users.waiting.values()) and loop.time() < deadline:
                await asyncio.sleep(0.2)
            result.latencies = users.latencies
            result.missing = sum(1 for _, _, m in users.waiting.values() if m)
            result.served_429 = server.stats.served_429
            return result
        finally:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            for line in log.read_text(errors="replace").splitlines():
                if line.startswith("LOCKWAITS "):
                    count, total, worst = line.split()[1:]
                    result.lock_waits = (int(count), float(total), float(worst))


def pending_outbox(url: str) -> int:
    """Messages queued in the bot's outbox, not sent yet."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            count = session.exec(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == "pending")
            ).one()
        return int(count)
    finally:
        engine.dispose()


def spawn_bot(
    server: FakeTelegramServer,
    library: str,
    url: str,
    global_rate: int,
    core: int | None,
    log: Path,
) -> subprocess.Popen[bytes]:
    """This script in --serve-bot mode: the runtime, pinned to `core`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGEM_")}
    env.update(
        TRIAGEM_TELEGRAM__TOKEN=server.token,
        TRIAGEM_TELEGRAM__API_BASE_URL=server.base_url,
        TRIAGEM_TELEGRAM__LIBRARY=library,
        TRIAGEM_TELEGRAM__POLL_TIMEOUT="10",
        TRIAGEM_STORAGE__URL=url,
    )
    command = [sys.executable, str(Path(__file__).resolve()), "--serve-bot"]
    command += ["--global-rate", str(global_rate)]
    if core is not None:
        command += ["--core", str(core)]
    with log.open("wb") as output:
        return subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )


def serve_bot(global_rate: int) -> int:
    """The bot exactly as `triagem run` wires it, but with this global rate (30 = Telegram's)."""
    logging.basicConfig(level=logging.WARNING)
    app = build_app(load_config())
    telegram = app.config.telegram
    driver = make_driver(telegram.library, telegram.token.get_secret_value(), telegram.api_base_url)
    limiter = RateLimiter(global_per_second=global_rate)
    waits = LockWaits(app.engine)

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await Runtime(app, driver, limiter=limiter).run(stop)
        finally:
            await driver.close()

    asyncio.run(serve())
    print(waits.line(), flush=True)
    return 0


# ---------------------------------------------------------------------------------------------
# Report


def hotspots(profiler: cProfile.Profile, updates: int, top: int = 12) -> list[str]:
    """Markdown bullets: the functions with the most cumulative time per update."""
    stats = pstats.Stats(profiler)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
    raw = stats.stats  # type: ignore[attr-defined]
    interesting = [
        ("bot/telegram/dispatcher.py", "process_batch", "`Dispatcher.process_batch` (all of it)"),
        ("bot/user_turn.py", "handle", "`UserTurn.handle` (flows, store, rendering)"),
        ("storage/inbox.py", "claim_updates", "`claim_updates` (heads of the chats)"),
        ("storage/inbox.py", "finish_update", "`finish_update` (re-read under lock, mark done)"),
        ("storage/outbox.py", "enqueue", "`enqueue` (outbox INSERTs)"),
        ("bot/pushes.py", "queue_changed", "`Pushes.queue_changed` (position pushes)"),
        ("knowledge_base/triage.py", "decide", "`Triage.decide`"),
        ("sqlalchemy/orm/session.py", "commit", "commit (flush and COMMIT)"),
        ("sqlalchemy/orm/session.py", "_execute_internal", "SQLAlchemy ORM statement execution"),
    ]
    whole = max(
        (c for (f, _, n), (_, _, _, c, _) in raw.items() if n == "process_batch"), default=1.0
    )
    lines = []
    for path, function, what in interesting:
        found = [
            c
            for (f, _, n), (_, _, _, c, _) in raw.items()
            if n == function and f.replace(os.sep, "/").endswith(path)
        ]
        if found:
            seconds = max(found)
            lines.append(
                f"- {what}: {seconds / updates * 1000:.2f} ms per update ({seconds / whole:.0%})"
            )
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats(top)
    print(out.getvalue())
    return lines


def section(
    host: Mapping[str, str],
    args: argparse.Namespace,
    inbox: Sequence[InboxResult],
    outbound: Sequence[OutboundResult],
    latency: Sequence[LatencyResult],
    profile_lines: Sequence[str],
    burst: Sequence[BurstResult] = (),
) -> str:
    """The `## Runtime` section of docs/benchmarks.md."""
    lines = [
        SECTION,
        "",
        "Run `python bench/runtime.py --write docs/benchmarks.md --postgres URL --profile` "
        f"({host['date']}).",
        "",
        f"Machine: {host['cpu']}, {host['cores']} cores, Python {host['python']}, {host['os']}. "
        f"Load average (1/5/15 min) when the run started: {host['load']} (a shared machine: "
        "other processes show up in the tails).",
        "",
    ]
    if inbox:
        lines += [
            "### (a) Inbox to outbox, one dispatcher worker",
            "",
            f"Pinned to {host['pinned']}. No target in issue 4 (for scale: (c) offers 50 "
            "updates/s).",
            "",
            "| store | batch size | updates/s | updates per commit | p50 ms | p99 ms | updates "
            "| outbox rows | failed | begin ms (mean) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in inbox:
            lines.append(
                f"| {r.version} | {r.batch} | {r.per_second:,.0f} | {r.per_commit:.1f} "
                f"| {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.updates:,} | {r.outbox_rows:,} "
                f"| {r.failed} | {r.lock_wait_ms:.2f} |"
            )
        lines += [
            "",
            "- The inbox is pre-filled with the updates of simulated users (the flows "
            "benchmark's users: a dev-case first message, then answers to what the bot asks: "
            "buttons, form fields, the e-mail twice, a photo, the summary), recorded against a "
            "scratch store and interleaved as if 50 people were talking at once; texts are "
            "Bot API `message` updates, buttons `callback_query` updates. Tickets accumulate: "
            "no agent takes them, so the queues only grow.",
            "- One transaction = `Dispatcher.process_batch`: claim the oldest pending update of up "
            "to *batch size* chats (all there are, when fewer), then for each (no savepoints: a "
            "failed batch is retried one update per transaction) `UserTurn.handle`, the outbox "
            "rows (the callback answer included) and marking it done; "
            "one commit. What each dispatcher worker runs in its thread (the runtime's batch "
            "size is 32), timed without the asyncio hop; p50/p99 are per transaction. *begin "
            "ms*: time to start a transaction (BEGIN IMMEDIATE on SQLite).",
        ]
        if profile_lines:
            lines += [
                "",
                "Where an update's time goes on SQLite (`--profile`: a separate cProfile run, "
                "which inflates Python-heavy parts; nested lines overlap):",
                "",
                *profile_lines,
                "",
                "`Pushes.queue_changed` runs whenever a ticket enters ahead of others or leaves "
                "the queue, and queues a position message for every ticket behind it (a few "
                "queries each): its cost grows with the queue, which in this run only grows.",
            ]
        lines.append("")
    run_on = (
        f"Run {host['date']} on {host['cpu']}, {host['cores']} cores, load average "
        f"{host['load']} when it started."
    )
    if outbound:
        lines += [
            "### (b) Sustained outbound rate under Telegram's limits",
            "",
            f"Target (issue 12): >= {TARGET_RATE:.0f} messages/s to 1,000 chats with the 30/s "
            f"overall limit, and zero 429 served. {run_on}",
            "",
            "| driver | limits | chats x messages | seconds | sustained msg/s | overall msg/s "
            "| most in any second | 429 served | 5xx | begin ms (mean) | target |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r in outbound:
            if r.lifted:
                verdict = "(ceiling)"
            elif r.per_chat == 1:
                met = r.sustained >= TARGET_RATE and r.served_429 == 0
                verdict = "met" if met else "**NOT met**"
            else:
                verdict = "met" if r.served_429 == 0 else "**429 served**"
            limits = "lifted" if r.lifted else "Telegram's"
            lines.append(
                f"| {r.library} | {limits} | {r.chats:,} x {r.per_chat} | {r.seconds:.1f} "
                f"| {r.sustained:.1f} | {r.overall:.1f} | {r.max_in_one_second} "
                f"| {r.served_429} | {r.server_errors} | {r.lock_wait_ms:.2f} | {verdict} |"
            )
        lines += [
            "",
            "- The fake Bot API server counts Telegram's limits the strict way: the sends of the "
            "last sliding second (30 overall, 1 per private chat) and of the last minute (20 per "
            "group), 429 with retry_after beyond them. The outbox is filled first (status "
            "messages), then the real `Sender` with its default `RateLimiter` delivers it through "
            "the driver. *Sustained* leaves out the first and last second; *overall* is every "
            "message over the time from the first call to the last answer; *most in any second* "
            "is the largest number of sends the server received in any sliding second.",
            "- *lifted*: no limits on either side: what the sender can push at all on one core "
            "(it shares the core with the fake server here). Each delivered message is one "
            "transaction of its own (`mark_sent`) on the sender's recorder thread; *begin ms* is "
            "how long a transaction waited to begin (on SQLite: for the write lock).",
            "- Both run in this process, pinned to one core.",
            "",
        ]
    if burst:
        lines += [
            "### (d) 1,000 users send /start at once",
            "",
            f"Target (issue 12): >= {TARGET_RATE:.0f} messages/s and zero 429. {run_on}",
            "",
            "| driver | users | messages | seconds | sustained msg/s | overall msg/s "
            "| most in any second | 429 served | users answered | target |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for b in burst:
            met = b.sustained >= TARGET_RATE and b.served_429 == 0
            lines.append(
                f"| {b.library} | {b.users:,} | {b.messages:,} | {b.seconds:.1f} "
                f"| {b.sustained:.1f} | {b.overall:.1f} | {b.max_in_one_second} "
                f"| {b.served_429} | {b.answered:,} | {'met' if met else '**NOT met**'} |"
            )
        lines += [
            "",
            "- The bot is `Runtime` as `triagem run` wires it (polling, SQLite, Telegram's limits "
            "in its default `RateLimiter`), in a child process pinned to "
            f"{host['bot_core']}; the strict fake server (as in (b)) and the users run in this "
            f"process on {host['pinned']}. Every user sends `/start` in the same few "
            "milliseconds; the run ends when every user has a reply and the outbox is empty.",
            "- The limiter holds each send's place in the 1-second window from the moment the "
            "call starts until 1 s after its answer (`bot/telegram/rate_limits.py`), so no "
            "second at Telegram can see 31 however the calls are delayed on the way; the cost "
            "is the round trip: 30 / (1 + round trip in s) messages a second at most.",
            "",
        ]
    if latency:
        lines += [
            "### (c) Reply latency under load",
            "",
            "No numeric target in issue 4. p50/p99/max from the moment the update exists at the "
            "(fake) Telegram server to the bot's first reply message stored there.",
            "",
            "| run | updates/s | measured updates | p50 ms | p99 ms | max ms | no reply "
            "| outbox backlog when the load stopped | 429 served | begin ms (mean / worst) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r in latency:
            p50, p99 = r.quantile(50), r.quantile(99)
            worst = max(r.latencies) * 1000 if r.latencies else float("nan")
            lines.append(
                f"| {r.label} | {r.offered:.0f} | {r.updates:,} | {p50:,.0f} | {p99:,.0f} "
                f"| {worst:,.0f} | {r.missing} | {r.backlog_end:,} | {r.served_429} "
                f"| {begin_wait(r)} |"
            )
        lines += [
            "",
            f"- The bot is `Runtime` as `triagem run` wires it (polling, {DISPATCH_WORKERS} "
            "dispatcher worker(s), "
            f"the sender, the agent desk), {args.library}, in a child process pinned to "
            f"{host['bot_core']}; the fake server and the users run in this process on "
            f"{host['pinned']}. Users (30 per update/s): each sends a dev-case message or (70% "
            "when the last reply had buttons) taps one, waits for the reply, reads for 2-5 s, "
            f"and goes again; updates are offered for {args.seconds:.0f} s after a 3 s warm-up "
            "(not measured); replies are then awaited for up to 2 minutes.",
            "- *Telegram's limits*: the bot's default limiter and the fake server's real limits. "
            "A reply is 1-3 messages, so 50 updates/s ask for about twice the 30 messages/s "
            "Telegram allows a bot overall: the outbox grows for as long as the load lasts and "
            "latency with it. No bot can answer 50 updates/s within Telegram's overall limit; "
            "the 10 updates/s run shows the latency when the limit is not the bottleneck.",
            "- *Raised overall limit*: the same with 1,000 messages/s overall on both sides (what "
            "Telegram's paid broadcasts allow; the per-chat limit stays): the bot's own capacity "
            "on one core.",
            "- *begin ms*: mean and worst time the bot's transactions took to begin (on SQLite: "
            "to get the write lock), read from the bot process at exit.",
        ]
        lines += capacity(args, inbox, outbound)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def capacity(
    args: argparse.Namespace, inbox: Sequence[InboxResult], outbound: Sequence[OutboundResult]
) -> list[str]:
    """Why the bot falls behind at the offered rate: its cost per update on one core."""
    on_sqlite = [r for r in inbox if r.backend == "sqlite"]
    dispatch = max(on_sqlite, key=lambda r: r.batch, default=None)  # closest to the runtime's
    ceiling = next((r for r in outbound if r.lifted and r.library == args.library), None)
    if dispatch is None or ceiling is None or not ceiling.sustained:
        return []
    dispatch_ms = 1000 / dispatch.per_second
    calls = dispatch.outbox_rows / dispatch.updates
    send_ms = 1000 / ceiling.sustained
    total = dispatch_ms + calls * send_ms
    if 1000 / total >= args.rate:
        return []
    return [
        f"- Why it falls behind at {args.rate:.0f} updates/s even without Telegram's overall "
        f"limit: an update costs about {dispatch_ms:.0f} ms of dispatcher work ((a), SQLite) "
        f"and brings {calls:.1f} Bot API calls of at most {send_ms:.0f} ms each for the sender "
        f"((b), lifted, {args.library}): about {total:.0f} ms per update, so roughly "
        f"{1000 / total:.0f} updates/s on one core. The waits to begin a transaction stay near "
        "zero: the core is the limit, not the SQLite write lock. The largest costs of an update "
        "are in (a)'s profile: `Pushes.queue_changed`, `claim_updates`, the outbox INSERTs "
        "and `finish_update`, with SQLAlchemy's ORM statement execution about a third of it; "
        "PostgreSQL adds a network round trip per statement.",
    ]


def begin_wait(result: LatencyResult) -> str:
    """Mean / worst transaction begin of the bot process, in ms ("n/a" when not reported)."""
    count, _, worst = result.lock_waits
    if not count:
        return "n/a"
    return f"{result.lock_wait_ms:.2f} / {worst * 1000:,.0f}"


def replace_subsections(doc: Path, body: str) -> None:
    """Replace only the `### (x)` subsections of `body` in the `## Runtime` section (a run of
    some parts keeps the others' results); subsections not there yet are added at the end."""
    old = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    if SECTION not in old.splitlines():
        write_section(doc, body)
        return
    lines = old.splitlines()
    start = lines.index(SECTION)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    current = split_subsections(lines[start:end])
    for title, block in split_subsections(body.splitlines()).items():
        if title:  # the section's header describes the parts that ran last time: kept
            current[title] = block
    merged = [line for block in current.values() for line in block]
    new = "\n".join([*lines[:start], *merged, *lines[end:]]).rstrip("\n") + "\n"
    doc.write_text(new, encoding="utf-8")


def split_subsections(lines: Sequence[str]) -> dict[str, list[str]]:
    """Lines by `### (x)` subsection ("" for the lines before the first), blank line after each."""
    blocks: dict[str, list[str]] = {"": []}
    title = ""
    for line in lines:
        if line.startswith("### ("):
            title = line[: line.index(")") + 1]
            blocks[title] = []
        blocks[title].append(line)
    for block in blocks.values():
        while block and not block[-1].strip():
            block.pop()
        block.append("")
    return blocks


def write_section(doc: Path, body: str) -> None:
    """Replace (or append) the `## Runtime` section, keeping every other section as it is."""
    old = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    lines = old.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + body
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        head = "\n".join(lines[:start]).rstrip("\n")
        tail = "\n".join(lines[end:])
        new = (head + "\n\n" if head else "") + body + (f"\n{tail}\n" if tail else "")
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(new, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the parts asked for and print (or write) the results."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--write", type=Path, help="update the ## Runtime section of this file")
    parser.add_argument("--postgres", help="PostgreSQL URL for (a) (a schema is made and dropped)")
    parser.add_argument("--only", default="a,b,c,d", help="parts to run, e.g. a,b")
    parser.add_argument("--updates", type=int, default=2000, help="(a) updates per store")
    parser.add_argument("--batches", default="1,32", help="(a) batch sizes to drain with")
    parser.add_argument("--chats", type=int, default=1000, help="(b) chats of the first run")
    parser.add_argument("--rate", type=float, default=50.0, help="(c) updates per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="(c) measured seconds")
    parser.add_argument("--library", default="aiogram", help="(c) driver")
    parser.add_argument("--core", type=int, help="core for this process (default: the first)")
    parser.add_argument("--profile", action="store_true", help="(a) cProfile the SQLite run")
    parser.add_argument("--serve-bot", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--global-rate", type=int, default=30, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_bot:
        FLOWS.pin(args.core)
        return serve_bot(args.global_rate)

    parts = set(args.only.split(","))
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    core = FLOWS.pin(args.core if args.core is not None else (cores[0] if cores else None))
    bot_core = next((c for c in cores if c != core), None)
    host = dict(FLOWS.machine(core))
    host["bot_core"] = f"core {bot_core}" if bot_core is not None else "no other core"
    texts = FLOWS.cases(None)

    inbox: list[InboxResult] = []
    profile_lines: list[str] = []
    if "a" in parts:
        with scratch_sqlite() as url:
            recorder = make_app(url)
            updates = record_conversations(recorder, texts, args.updates)
            recorder.engine.dispose()
        backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
        batches = [int(size) for size in args.batches.split(",")]
        for backend in backends:
            for batch in batches:
                with store(backend, args.postgres) as url:
                    result = inbox_to_outbox(backend, url, updates, None, batch)
                inbox.append(result)
                print(
                    f"(a) {backend:10} batch {batch:3} {result.per_second:7.0f} updates/s  "
                    f"{result.per_commit:.1f} per commit  p50 {result.p50_ms:.2f} ms  "
                    f"p99 {result.p99_ms:.2f} ms  ({result.updates} updates, "
                    f"{result.outbox_rows} outbox rows, {result.failed} failed)"
                )
        if args.profile:
            # A separate run: cProfile slows Python-heavy parts, the timed runs stay clean.
            profiler = cProfile.Profile()
            with store("sqlite", None) as url:
                profiled = inbox_to_outbox("sqlite", url, updates, profiler, max(batches))
            profile_lines = hotspots(profiler, profiled.updates)
            print("\n".join(profile_lines))

    outbound: list[OutboundResult] = []
    if "b" in parts:
        for library in ("aiogram", "python-telegram-bot"):
            shapes = ((args.chats, 1, False), (args.chats // 10, 10, False), (args.chats, 1, True))
            for chats, per_chat, lifted in shapes:
                found = asyncio.run(outbound_rate(library, chats, per_chat, lifted=lifted))
                outbound.append(found)
                print(
                    f"(b) {library:20} {chats} x {per_chat}: {found.sustained:.1f} msg/s "
                    f"sustained, {found.overall:.1f} overall, {found.served_429} x 429, "
                    f"{found.server_errors} x 5xx, {found.seconds:.1f} s"
                )

    burst: list[BurstResult] = []
    if "d" in parts:
        with tempfile.TemporaryDirectory(prefix="triagem-bench-logs-") as folder:
            for library in ("aiogram", "python-telegram-bot"):
                with store("sqlite", None) as url:
                    found_d = asyncio.run(
                        start_burst(library, args.chats, url, bot_core, Path(folder))
                    )
                burst.append(found_d)
                print(
                    f"(d) {library:20} {found_d.users} users: {found_d.sustained:.1f} msg/s "
                    f"sustained, {found_d.overall:.1f} overall, {found_d.served_429} x 429, "
                    f"most in any second {found_d.max_in_one_second}, {found_d.messages} "
                    f"messages in {found_d.seconds:.1f} s"
                )

    latency: list[LatencyResult] = []
    if "c" in parts:
        runs = [
            ("Telegram's limits, SQLite", args.rate, 30, "sqlite"),
            ("raised overall limit, SQLite", args.rate, 1000, "sqlite"),
        ]
        if args.postgres:
            runs.append(("raised overall limit, PostgreSQL", args.rate, 1000, "postgresql"))
        runs.append(("Telegram's limits, SQLite, 10 updates/s", 10.0, 30, "sqlite"))
        with tempfile.TemporaryDirectory(prefix="triagem-bench-logs-") as folder:
            for label, rate, global_rate, backend in runs:
                with store(backend, args.postgres) as url:
                    found_c = asyncio.run(
                        latency_run(
                            label,
                            library=args.library,
                            rate=rate,
                            seconds=args.seconds,
                            texts=texts,
                            global_rate=global_rate,
                            url=url,
                            bot_core=bot_core,
                            logs=Path(folder),
                        )
                    )
                latency.append(found_c)
                print(
                    f"(c) {label:40} p50 {found_c.quantile(50):,.0f} ms  p99 "
                    f"{found_c.quantile(99):,.0f} ms  ({found_c.updates} updates, "
                    f"{found_c.missing} without reply, backlog {found_c.backlog_end}, "
                    f"{found_c.served_429} x 429, begin {begin_wait(found_c)} ms)"
                )

    if args.write:
        body = section(host, args, inbox, outbound, latency, profile_lines, burst)
        if parts >= {"a", "b", "c", "d"}:
            write_section(args.write, body)
        else:
            replace_subsections(args.write, body)
        print(f"wrote {SECTION} to {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
