"""Restart soak for buttons: callback answers refused "query is too old" after a kill -9.

Usage: python bench/callback_soak.py [--kills 20] [--library aiogram,python-telegram-bot]
                                     [--store sqlite] [--rate 5] [--ttl 15]

The fake Bot API server (strict limits, 127.0.0.1 only) runs in this process and refuses an
answerCallbackQuery more than `--ttl` seconds after the press, as Telegram does. The bot runs as
`triagem run` in a child process. First every user gets a message with buttons (/start); then
each round starts the bot, has users press buttons (`--rate` presses/s) from the moment it is
started, waits for its first callback answer, lets it run a random 0-2 s and kills it with
SIGKILL: presses made while it was down or starting wait for the next start. After the last
kill one more bot answers what is left and is stopped. Counted per driver: presses, answers
accepted, answers refused as too old, presses never answered, and the time from each start to
its first callback answer.
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
import random
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from tests.fake_telegram import FakeTelegramServer, FakeUser, LimitConfig
from tests.fake_telegram.messages import StoredMessage

USERS = 40
TRIAGEM = Path(sys.executable).parent / "triagem"


@dataclass
class Result:
    """One driver's soak."""

    library: str
    kills: int
    pressed: int = 0
    answered: int = 0
    too_old: int = 0
    unanswered: int = 0
    first_answer: list[float] = field(default_factory=list)  # s from each start
    first_call: list[float] = field(default_factory=list)  # s from each start to getMe
    first_poll: list[float] = field(default_factory=list)  # s from each start to getUpdates


def spawn(server: FakeTelegramServer, library: str, url: str, log: Path) -> subprocess.Popen[bytes]:
    """`triagem run` on this server and store, nothing of the caller's TRIAGEM_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGEM_")}
    env.update(
        TRIAGEM_TELEGRAM__TOKEN=server.token,
        TRIAGEM_TELEGRAM__API_BASE_URL=server.base_url,
        TRIAGEM_TELEGRAM__LIBRARY=library,
        TRIAGEM_TELEGRAM__POLL_TIMEOUT="5",
        TRIAGEM_STORAGE__URL=url,
    )
    with log.open("ab") as output:
        return subprocess.Popen(
            [str(TRIAGEM), "run"],
            env=env,
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def this_start(server: FakeTelegramServer, started_at: float) -> float | None:
    """When the process started at `started_at` made its first call (getMe), if it has."""
    return min((r.at for r in server.requests_for("getMe") if r.at > started_at), default=None)


def stop(child: subprocess.Popen[bytes], how: signal.Signals) -> None:
    child.send_signal(how)
    try:
        child.wait(60)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def with_buttons(server: FakeTelegramServer, user: FakeUser) -> StoredMessage | None:
    """The user's latest bot message that has callback buttons."""
    found = [m for m in server.sent_messages(user) if m.button_data()]
    return found[-1] if found else None


def answers(server: FakeTelegramServer) -> list[tuple[float, int, str]]:
    """(time, status, query id) of every answerCallbackQuery the server got."""
    return [
        (r.at, r.status, str(r.params.get("callback_query_id", "")))
        for r in server.requests_for("answerCallbackQuery")
    ]


async def soak(library: str, kills: int, rate: float, ttl: float, logs: Path) -> Result:
    """Run the rounds on one driver; count what came too late."""
    rng = random.Random(20261204)
    result = Result(library, kills)
    async with FakeTelegramServer(limits=LimitConfig(), callback_query_ttl=ttl) as server:
        users = [server.add_user(f"Pessoa {n}") for n in range(USERS)]
        with tempfile.TemporaryDirectory(prefix="triagem-callback-soak-") as folder:
            url = f"sqlite:///{Path(folder) / 'soak.db'}"
            log = logs / f"callback-soak-{library}.log"
            child = spawn(server, library, url, log)
            try:
                for user in users:
                    server.user_sends_text(user, "/start")
                await server.wait_until(
                    lambda: all(with_buttons(server, u) for u in users) or child.poll(),
                    timeout=300,
                    what="buttons for every user",
                )
                if child.poll() is not None:
                    raise SystemExit(f"the bot exited: {log.read_text()[-2000:]}")
            finally:
                stop(child, signal.SIGTERM)
            buttons = {u.id: with_buttons(server, u) for u in users}
            queries: list[str] = []

            def press() -> None:
                user = rng.choice(users)
                message = buttons[user.id]
                assert message is not None
                data = rng.choice(message.button_data())
                queries.append(server.user_presses_button(user, message, data, strict=False).id)

            for round_ in range(kills + 1):
                started = time.monotonic()
                started_at = server.state.clock.now()  # the server's clock, as requests' `at`
                child = spawn(server, library, url, log)
                try:
                    # Presses from the start: a restarted bot finds them waiting. A killed
                    # bot's call may still be answered after this start: the new process's
                    # first call is getMe, and its first answer comes after that.
                    while not (me := this_start(server, started_at)) or not [
                        at for at, _, _ in answers(server) if at > me
                    ]:
                        if child.poll() is not None:
                            raise SystemExit(f"the bot exited: {log.read_text()[-2000:]}")
                        if time.monotonic() - started > 120:
                            raise SystemExit("no callback answer within 120 s of a start")
                        press()
                        await asyncio.sleep(1 / rate)
                    first = min(at for at, _, _ in answers(server) if at > me)
                    result.first_answer.append(first - started_at)
                    polls = [r.at for r in server.requests_for("getUpdates") if r.at > me]
                    result.first_call.append(me - started_at)
                    result.first_poll.append(min(polls, default=first) - started_at)
                    if round_ == kills:  # the last one answers what is left, then stops
                        asked = set(queries)
                        await server.wait_until(
                            lambda asked=asked: asked <= {q for _, _, q in answers(server)},
                            timeout=120,
                            what="every press to be answered",
                        )
                        stop(child, signal.SIGTERM)
                        break
                    end = time.monotonic() + rng.uniform(0, 2)
                    while time.monotonic() < end:
                        press()
                        await asyncio.sleep(1 / rate)
                finally:
                    if child.poll() is None:
                        child.send_signal(signal.SIGKILL)
                        child.wait()
            got = answers(server)
            answered_ids = {q for _, status, q in got if status == 200}
            refused = {q for _, status, q in got if status == 400}
            result.pressed = len(queries)
            result.answered = len(answered_ids & set(queries))
            result.too_old = len((refused - answered_ids) & set(queries))
            result.unanswered = len(set(queries) - answered_ids - refused)
    return result


def spread(values: Sequence[float]) -> str:
    """p50 (max) in seconds."""
    return f"{statistics.median(values):.1f} ({max(values):.1f})" if values else "-"


def report(results: Sequence[Result], args: argparse.Namespace) -> str:
    """A Markdown table of the figures."""
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"`python bench/callback_soak.py --kills {args.kills} --rate {args.rate:g} "
        f"--ttl {args.ttl:g}`, load average at the end: {load}",
        "",
        "| driver | kills | presses | answered | refused too old | never answered "
        "| s from start to getMe / first getUpdates / first answer, p50 (max) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.library} | {r.kills} | {r.pressed} | {r.answered} | {r.too_old} "
            f"| {r.unanswered} | {spread(r.first_call)} / {spread(r.first_poll)} "
            f"/ {spread(r.first_answer)} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Soak each driver, print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--library", default="aiogram,python-telegram-bot")
    parser.add_argument("--rate", type=float, default=5.0, help="presses/s")
    parser.add_argument("--ttl", type=float, default=15.0, help="Telegram's answer window (s)")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="triagem-callback-logs-") as logs:
        for library in args.library.split(","):
            found = asyncio.run(soak(library, args.kills, args.rate, args.ttl, Path(logs)))
            results.append(found)
            print(report([found], args), flush=True)
    print(report(results, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
