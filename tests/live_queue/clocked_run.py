"""`python -m bot run` on a clock the test moves, for a bot in a child process (killed with -9).

Run by path (`python clocked_run.py run`), so it imports the bot and nothing of the tests. The
clock is real time plus the offset in seconds held by the file at $QUEUE_TEST_CLOCK_FILE,
read at every call: the test rewrites the file (tests/live_queue/bot_process.py) and the child
sees the new time at once, as the in-process bot sees its OffsetClock move.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import bot.app
from bot.app import utc_now
from bot.entry import main


class FileClock:
    """Real time plus the offset the test wrote to `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> datetime:
        return utc_now() + timedelta(seconds=float(self.path.read_text(encoding="ascii")))


if __name__ == "__main__":
    clock = FileClock(Path(os.environ["QUEUE_TEST_CLOCK_FILE"]))
    # The command line builds the app with `bot.app.build_app` (looked up when it runs).
    bot.app.build_app = partial(bot.app.build_app, clock=clock)
    raise SystemExit(main())
