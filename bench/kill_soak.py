"""kill -9 soak: how many messages a killed bot sends twice, per 100 kills.

Usage: python bench/kill_soak.py [--kills 100] [--library aiogram] [--no-journal]
                                 [--store sqlite,postgresql] [--load 10]
                                 [--write docs/benchmarks.md]

The fake Bot API server (strict limits, 127.0.0.1 only) runs in this process. The outbox of a
store (a SQLite file, or a schema of its own on the PostgreSQL server of
$TRIAGEM_TEST_POSTGRES_URL, default postgres@127.0.0.1:5432/test, dropped afterwards) is filled
with numbered messages to 300 chats; the bot (`Runtime` as `triagem run`
wires it) runs in a child process while 50 other users write to it (`--load` updates/s, so the
dispatcher holds the SQLite write lock as in real use). Each round waits until the child is
sending, lets it send for a random 0-1.5 s, and kills it with SIGKILL; then a new child starts.
After the last kill one more child delivers the rest. A duplicate is a numbered message the
server received more than once; a lost one is never received. Bounded: at most `--kills`
rounds, each child killed or stopped within a minute.
"""

# ruff: noqa: E402  (the import path is fixed before the project's imports, see below)
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import logging
import os
import platform
import random
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlmodel import Session, func, select

from bot.app import build_app
from bot.config import Config, StorageConfig, load_config
from bot.database import open_store
from bot.telegram.drivers import make_driver
from bot.telegram.runner import Runtime
from storage import OutboxMessage, enqueue
from tests.fake_telegram import FakeTelegramServer, FakeUser, LimitConfig

SECTION = "## Duplicates after kill -9"
CHATS = 300
LOAD_USERS = 50
TEXTS = ("oi", "o eproc não abre", "esqueci minha senha do sei", "quero falar com alguém")


@dataclass
class Soak:
    """One soak's figures."""

    library: str
    store: str
    journal: bool
    kills: int
    queued: int
    received: int
    duplicates: int
    lost: int
    kills_with_duplicates: int
    seconds: float

    @property
    def per_100_kills(self) -> float:
        """Duplicate messages per 100 kills."""
        return 100 * self.duplicates / self.kills if self.kills else 0.0


def config_env(server: FakeTelegramServer, library: str, url: str) -> dict[str, str]:
    """The child's environment: this server, this store, nothing of the caller's TRIAGEM_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGEM_")}
    env.update(
        TRIAGEM_TELEGRAM__TOKEN=server.token,
        TRIAGEM_TELEGRAM__API_BASE_URL=server.base_url,
        TRIAGEM_TELEGRAM__LIBRARY=library,
        TRIAGEM_TELEGRAM__POLL_TIMEOUT="5",
        TRIAGEM_STORAGE__URL=url,
    )
    return env


def spawn(env: dict[str, str], journal: bool, log: Path) -> subprocess.Popen[bytes]:
    """This script in --serve-bot mode."""
    command = [sys.executable, str(Path(__file__).resolve()), "--serve-bot"]
    if not journal:
        command.append("--no-journal")
    with log.open("ab") as output:
        return subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )


def fill_outbox(url: str, chats: Sequence[FakeUser], count: int) -> list[str]:
    """`count` numbered messages, round-robin over the chats; their texts."""
    engine = open_store(Config(storage=StorageConfig(url=url)))
    texts = [f"soak {n:05d}" for n in range(count)]
    with Session(engine) as session, session.begin():
        for n, text in enumerate(texts):
            enqueue(
                session,
                chat_id=chats[n % len(chats)].id,
                method="sendMessage",
                params={"text": text},
                now=dt.datetime.now(dt.UTC),
            )
    engine.dispose()
    return texts


def pending(url: str) -> int:
    """Outbox rows not sent yet."""
    engine = open_store(Config(storage=StorageConfig(url=url)))
    try:
        with Session(engine) as session:
            query = select(func.count()).select_from(OutboxMessage)
            return int(session.exec(query.where(OutboxMessage.status == "pending")).one())
    finally:
        engine.dispose()


def delivered(server: FakeTelegramServer) -> collections.Counter[str]:
    """How many times the server accepted each numbered message."""
    accepted = (r for r in server.requests_for("sendMessage") if r.status == 200)
    texts = (str(r.params.get("text", "")) for r in accepted)
    return collections.Counter(text for text in texts if text.startswith("soak "))


POSTGRES_URL = os.environ.get(
    "TRIAGEM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextlib.contextmanager
def store_url(store: str, folder: str) -> Iterator[str]:
    """A fresh store's URL: a SQLite file in `folder`, or a new PostgreSQL schema (dropped
    afterwards, with the sent journal the bot kept for it in ./data)."""
    if store == "sqlite":
        yield f"sqlite:///{Path(folder) / 'soak.db'}"
        return
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    from bot.telegram.sent_journal import sent_journal
    from storage.engine import make_engine

    schema = f"soak_{os.getpid()}_{int(time.time())}"
    conninfo = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        engine = make_engine(url)
        journal = sent_journal(engine)
        engine.dispose()
        if journal is not None:
            journal.path.unlink(missing_ok=True)
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


async def soak(
    library: str, store: str, kills: int, journal: bool, load: float, logs: Path
) -> Soak:
    """Run the rounds; count what arrived twice and what never arrived."""
    rng = random.Random(20261204)
    async with FakeTelegramServer(limits=LimitConfig()) as server:
        chats = [server.add_user(f"Destino {n}") for n in range(CHATS)]
        for chat in chats:
            server.chat_of(chat).bot_started = True
        talkers = [server.add_user(f"Pessoa {n}") for n in range(LOAD_USERS)]
        with (
            tempfile.TemporaryDirectory(prefix="triagem-soak-") as folder,
            store_url(store, folder) as url,
        ):
            texts = await asyncio.to_thread(fill_outbox, url, chats, kills * 45 + 300)
            env = config_env(server, library, url)
            log = logs / f"soak-{library}-{store}-{'journal' if journal else 'nojournal'}.log"
            started = time.monotonic()
            with_duplicates = 0
            before = 0
            for _ in range(kills):
                child = spawn(env, journal, log)
                try:
                    await one_round(server, child, log, rng, talkers, load)
                finally:
                    child.send_signal(signal.SIGKILL)
                    child.wait()
                now_twice = sum(n - 1 for n in delivered(server).values() if n > 1)
                with_duplicates += now_twice > before
                before = now_twice
            final = spawn(env, journal, log)
            try:
                deadline = time.monotonic() + 600
                while await asyncio.to_thread(pending, url) and time.monotonic() < deadline:
                    await asyncio.sleep(0.5)
            finally:
                final.send_signal(signal.SIGTERM)
                try:
                    final.wait(60)
                except subprocess.TimeoutExpired:
                    final.kill()
                    final.wait()
            got = delivered(server)
            return Soak(
                library=library,
                store=store,
                journal=journal,
                kills=kills,
                queued=len(texts),
                received=sum(got.values()),
                duplicates=sum(n - 1 for n in got.values() if n > 1),
                lost=sum(1 for text in texts if text not in got),
                kills_with_duplicates=with_duplicates,
                seconds=time.monotonic() - started,
            )


async def one_round(
    server: FakeTelegramServer,
    child: subprocess.Popen[bytes],
    log: Path,
    rng: random.Random,
    talkers: Sequence[FakeUser],
    load: float,
) -> None:
    """Wait until the child sends, then let it send (users writing) for a random 0-1.5 s."""
    count_at_start = sum(delivered(server).values())
    await server.wait_until(
        lambda: child.poll() is not None or sum(delivered(server).values()) > count_at_start,
        timeout=60,
        what="the bot to send",
    )
    if child.poll() is not None:
        raise SystemExit(f"the bot exited: {log.read_text()[-2000:]}")
    end = time.monotonic() + rng.uniform(0, 1.5)
    while time.monotonic() < end:
        server.user_sends_text(rng.choice(talkers), rng.choice(TEXTS))
        await asyncio.sleep(1 / load)


def serve_bot(journal: bool) -> int:
    """The bot as `triagem run` wires it; `--no-journal` turns the sent journal off."""
    logging.basicConfig(level=logging.WARNING)
    app = build_app(load_config())
    telegram = app.config.telegram
    driver = make_driver(telegram.library, telegram.token.get_secret_value(), telegram.api_base_url)

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        runtime = Runtime(app, driver)
        if not journal:
            runtime.sender.journal = None
        try:
            await runtime.run(stop)
        finally:
            await driver.close()

    asyncio.run(serve())
    return 0


def section(results: Sequence[Soak], args: argparse.Namespace) -> str:
    """The `## Duplicates after kill -9` section of docs/benchmarks.md."""
    cpu = platform.processor() or "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        SECTION,
        "",
        f"Run `python bench/kill_soak.py --kills {args.kills} --write docs/benchmarks.md` "
        f"({dt.date.today()}) on {cpu}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average when it ended: {load} (a shared machine).",
        "",
        "| driver | store | sent journal | kills | messages queued | received | duplicates "
        "| per 100 kills | kills that duplicated | lost | minutes |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.library} | {r.store} | {'on' if r.journal else 'off'} | {r.kills} "
            f"| {r.queued:,} "
            f"| {r.received:,} | {r.duplicates} | {r.per_100_kills:.0f} "
            f"| {r.kills_with_duplicates} | {r.lost} | {r.seconds / 60:.1f} |"
        )
    lines += [
        "",
        "- SQLite file or PostgreSQL schema on the local server; "
        f"{CHATS} chats with numbered messages queued, {LOAD_USERS} other users "
        f"writing {args.load:g} updates/s meanwhile (the dispatcher takes the write lock as in "
        "real use). Each round: start `Runtime` in a child process, wait for its first send, "
        "let it send for a random 0-1.5 s, SIGKILL. A last child delivers what is left.",
        "- A duplicate is a numbered message the fake server accepted more than once. Telegram "
        "has no idempotency key: a call it accepted but the bot did not record is sent again "
        "after the restart. With the journal the bot writes Telegram's answer to a file "
        "(one `write()`, which survives the process) before anything else, and a restarted "
        "sender records those calls before sending.",
        "- What the journal leaves: the time from Telegram accepting a call to the driver "
        "handing its answer to the sender (the answer in the socket, aiohttp/httpx reading it, "
        "aiogram's or PTB's models parsing it, the event loop getting to it), then one "
        "`write()`. On a busy machine that is where the remaining duplicates fall; several "
        "calls in flight at the kill can each be sent twice.",
        "",
    ]
    return "\n".join(lines)


def write_section(doc: Path, body: str) -> None:
    """Replace (or append) this script's section of the document."""
    old = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    lines = old.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        doc.write_text(old.rstrip("\n") + "\n\n" + body, encoding="utf-8")
        return
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    new = [*lines[:start], *body.rstrip("\n").splitlines(), "", *lines[end:]]
    doc.write_text("\n".join(new).rstrip("\n") + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Soak with and without the journal, print (or write) the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--kills", type=int, default=100, help="kills per soak")
    parser.add_argument("--library", default="aiogram", help="driver(s), comma-separated")
    parser.add_argument("--load", type=float, default=10.0, help="other users' updates/s")
    parser.add_argument("--only", default="on,off", help="journal on, off or both")
    parser.add_argument("--store", default="sqlite", help="sqlite, postgresql or both")
    parser.add_argument("--write", type=Path, help="update this script's section of this file")
    parser.add_argument("--serve-bot", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-journal", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_bot:
        return serve_bot(not args.no_journal)
    results = []
    with tempfile.TemporaryDirectory(prefix="triagem-soak-logs-") as logs:
        for library in args.library.split(","):
            for store in args.store.split(","):
                for mode in args.only.split(","):
                    found = asyncio.run(
                        soak(library, store, args.kills, mode == "on", args.load, Path(logs))
                    )
                    results.append(found)
                    print(
                        f"{library} {store} journal {mode}: {found.kills} kills, "
                        f"{found.duplicates} duplicates ({found.per_100_kills:.0f} per 100 "
                        f"kills, {found.kills_with_duplicates} kills duplicated), "
                        f"{found.lost} lost, {found.seconds / 60:.1f} min",
                        flush=True,
                    )
    if args.write:
        write_section(args.write, section(results, args))
        print(f"wrote {SECTION} to {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
