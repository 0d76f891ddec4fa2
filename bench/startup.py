"""Start-up benchmark: `triagem run` to its first reply next to a bare aiogram echo bot, and
`triagem chat` to its first prompt.

Usage: python bench/startup.py [--write docs/benchmarks.md] [--rounds 7]

Each round starts, one after the other on the same machine, a bare aiogram echo bot (polling,
one handler that answers every message with its text) and `python -m bot run` (on a SQLite file
already at the current schema, and once more on an empty one that it migrates first), both
against the project's fake Bot API server in this process. A user's message is waiting before
each start; the time is from spawning the process to the server receiving the bot's first
sendMessage to that chat. `triagem chat` runs on a terminal (a pty, as a person uses it) and is
timed to its first "você> " prompt. Medians over the rounds; the processes are not pinned.
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
import os
import pty
import select
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence

from bench.match import machine, write_section
from tests.fake_telegram import FakeTelegramServer

SECTION = "## Start-up"
TARGET_RATIO = 1.2
TARGET_CHAT_S = 1.0
PROMPT = "você> ".encode()

ECHO_BOT = """
import asyncio, sys
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

dispatcher = Dispatcher()


@dispatcher.message()
async def echo(message: Message) -> None:
    await message.answer(message.text or "?")


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(sys.argv[2]))
    await dispatcher.start_polling(Bot(sys.argv[1], session=session))


asyncio.run(main())
"""


def bot_environment(server: FakeTelegramServer, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGEM_")}
    env.update(
        TRIAGEM_TELEGRAM__TOKEN=server.token,
        TRIAGEM_TELEGRAM__API_BASE_URL=server.base_url,
        TRIAGEM_TELEGRAM__LIBRARY="aiogram",
        TRIAGEM_STORAGE__URL=url,
    )
    return env


async def first_reply(server: FakeTelegramServer, command: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning `command` to its first message to a user who wrote before."""
    user = server.add_user()
    server.user_sends_text(user, "/start")
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        env=env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await server.wait_until(
            lambda: server.sent_messages(user.id) or child.poll() is not None,
            timeout=120,
            what="the first reply",
        )
        if child.poll() is not None:
            raise SystemExit(f"{command} exited with {child.returncode}")
        return time.perf_counter() - started
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        # The next bot must not find this one's update (nor a webhook) still pending.
        server.state.updates.drop_all()


def chat_prompt(url: str) -> float:
    """Seconds from spawning `triagem chat` on a terminal to its first prompt."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGEM_")}
    env["TRIAGEM_STORAGE__URL"] = url
    leader, follower = pty.openpty()
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"],
        env=env,
        cwd=REPO,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    seen = b""
    try:
        while PROMPT not in seen:
            ready, _, _ = select.select([leader], [], [], 60)
            if not ready:
                raise SystemExit("triagem chat printed no prompt in 60 s")
            seen += os.read(leader, 65536)
        return time.perf_counter() - started
    finally:
        child.kill()
        child.wait()
        os.close(leader)


async def rounds(count: int, scratch: Path) -> dict[str, list[float]]:
    """Every start, `count` times each, interleaved."""
    times: dict[str, list[float]] = {"echo": [], "run": [], "run, first start": [], "chat": []}
    ready = f"sqlite:///{scratch / 'ready.db'}"
    subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        env={**os.environ, "TRIAGEM_STORAGE__URL": ready},
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    async with FakeTelegramServer() as server:
        for number in range(count):
            echo = [sys.executable, "-c", ECHO_BOT, server.token, server.base_url]
            times["echo"].append(await first_reply(server, echo, dict(os.environ)))
            run = [sys.executable, "-m", "bot", "run"]
            times["run"].append(await first_reply(server, run, bot_environment(server, ready)))
            fresh = f"sqlite:///{scratch / f'fresh-{number}.db'}"
            times["run, first start"].append(
                await first_reply(server, run, bot_environment(server, fresh))
            )
            times["chat"].append(chat_prompt(ready))
            print({k: f"{v[-1]:.2f}" for k, v in times.items()}, flush=True)
    return times


def section(times: dict[str, list[float]], host: dict[str, str]) -> str:
    """The `## Start-up` section of docs/benchmarks.md."""
    median = {k: statistics.median(v) for k, v in times.items()}
    ratio = median["run"] / median["echo"]
    rows = [
        ("bare aiogram echo bot, to its first reply", "echo"),
        ("`triagem run`, store at the current schema, to its first reply", "run"),
        ("`triagem run`, empty store (migrates first), to its first reply", "run, first start"),
        ("`triagem chat`, to its first prompt", "chat"),
    ]
    lines = [
        SECTION,
        "",
        f"Run `python bench/startup.py --write docs/benchmarks.md` ({host['date']}). Machine: "
        f"{host['cpu']}, {host['cores']} cores, Python {host['python']}, {host['os']}; load "
        f"average (1/5/15 min) at the start: {host['load']}.",
        "",
        f"Targets (issue 12): `triagem run` within {TARGET_RATIO:g}x of the echo bot, measured "
        f"side by side; `triagem chat` <= {TARGET_CHAT_S:g} s to its first prompt (idle machine).",
        "",
        f"- `triagem run` / echo bot: {ratio:.2f}x: {'met' if ratio <= TARGET_RATIO else 'MISSED'}",
        f"- `triagem chat`: {median['chat']:.2f} s: "
        f"{'met' if median['chat'] <= TARGET_CHAT_S else 'MISSED'}",
        "",
        "| start | median s | min s | max s | every round, s |",
        "|---|---:|---:|---:|---|",
    ]
    for label, key in rows:
        values = times[key]
        every = ", ".join(f"{v:.2f}" for v in values)
        lines.append(
            f"| {label} | {median[key]:.2f} | {min(values):.2f} | {max(values):.2f} | {every} |"
        )
    lines += [
        "",
        "How it is measured: each round spawns, one after the other, the echo bot (aiogram "
        "`Dispatcher.start_polling`, one handler answering every message with its text), "
        "`python -m bot run` on a SQLite file already migrated, the same on an empty file, and "
        "`python -m bot chat` on a pty. A user's `/start` is waiting at the fake Bot API server "
        "(in the benchmark's process) before each bot starts; the time runs from spawning the "
        "process to the server receiving the first sendMessage to that user (for `chat`, to "
        "the first `você> ` prompt on the terminal). Medians over the rounds.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Time the starts, print the table and optionally write docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--write", type=Path, help="update the ## Start-up section of this file")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    host = machine()
    with tempfile.TemporaryDirectory(prefix="triagem-startup-") as scratch:
        times = asyncio.run(rounds(args.rounds, Path(scratch)))
    text = section(times, host)
    print(text)
    if args.write:
        write_section(args.write, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
