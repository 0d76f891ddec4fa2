"""Start-up: a process loads only what its command needs (each library costs seconds of CPU)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_LOADED = """
import gc, json, sys
from bot.telegram.drivers import load_driver
import bot.cli, bot.app, bot.terminal, bot.telegram.runner
load_driver(sys.argv[1])
roots = {name.split(".")[0] for name in sys.modules}
print(json.dumps(sorted(roots & {"aiogram", "telegram", "alembic"})))
"""


@pytest.mark.parametrize(
    ("library", "loaded"),
    [("aiogram", ["aiogram"]), ("python-telegram-bot", ["telegram"])],
)
def test_only_the_chosen_driver_is_imported_and_alembic_is_not(
    library: str, loaded: list[str]
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, library], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == loaded


_CHAT = """
import gc, io, sys
from bot import cli
sys.stdin = io.StringIO("")
code = cli.main(["chat"])
print(code, gc.isenabled(), file=sys.stderr)
"""


def test_chat_turns_the_collector_back_on_once_started(tmp_path: object) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGEM_")}
    env["TRIAGEM_STORAGE__URL"] = f"sqlite:///{tmp_path}/t.db"
    done = subprocess.run(
        [sys.executable, "-c", "import gc; gc.disable()\n" + _CHAT],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert done.stderr.strip().splitlines()[-1] == "0 True"
