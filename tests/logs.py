"""Capture what the bot logs, set up as `triagem run` sets it up (bot.logs.install)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from bot.config import Config, load_config
from bot.log_redaction import Redactor
from bot.logs import OUR_LOGGERS, install


def config_of(environ: Mapping[str, str], tmp_path: Path) -> Config:
    """The config the bot reads from these settings (and an empty file)."""
    path = tmp_path / "logging.toml"
    path.write_text("# the test's settings come from the environment\n", encoding="utf-8")
    return load_config(path, environ)


@contextmanager
def captured_logs(config: Config) -> Iterator[io.StringIO]:
    """Logging installed for `config`, written to the buffer yielded; put back afterwards."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    levels = {name: logging.getLogger(name).level for name in ("", *OUR_LOGGERS)}
    buffer = io.StringIO()
    install(config, buffer)
    try:
        yield buffer
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                root.removeHandler(handler)
            for redactor in [f for f in handler.filters if isinstance(f, Redactor)]:
                handler.removeFilter(redactor)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
