"""Process entry of `triagem` and `python -m bot`: the command line, started without the
garbage collector's pauses."""

from __future__ import annotations

import gc


def main() -> int:
    """Run the command line; the exit code."""
    # Start-up (aiogram's hundreds of pydantic models, SQLAlchemy, the knowledge index) makes
    # many objects and frees few: a cyclic collection during it finds little and costs about
    # 15% of the import time. The command turns the collector back on once it is up
    # (`bot.cli.started`); this is the fallback for commands that end first.
    gc.disable()
    try:
        from bot.cli import main as cli_main

        return cli_main()
    finally:
        gc.enable()
