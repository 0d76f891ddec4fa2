"""Logging set-up at start: levels, one handler (text or JSON lines), secrets redacted."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from bot.config import Config
from bot.log_fields import JsonFormatter, TextFormatter
from bot.log_redaction import Redactor, secrets_of

# Triagem's own loggers; every other logger (the libraries') takes the root's level.
OUR_LOGGERS = ("bot", "storage", "knowledge_base", "flows")


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (as logging.lastResort does)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def install(config: Config, stream: TextIO | None = None) -> logging.Handler:
    """Configure logging per `[log]`; writes to `stream` (default: stderr). Idempotent."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "triagem", False)]:
        root.removeHandler(old)
    handler: logging.Handler = _Stderr() if stream is None else logging.StreamHandler(stream)
    handler.triagem = True  # type: ignore[attr-defined]
    json_lines = config.log.format == "json"
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root.addHandler(handler)
    root.setLevel(config.log.libraries)
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(config.log.level)
    redact(Redactor(secrets_of(config)))
    return handler


def redact(redactor: Redactor) -> None:
    """Put `redactor` on every handler there is (the root's and any logger's own)."""
    loggers = [logging.getLogger()]
    loggers += [
        x for x in logging.Logger.manager.loggerDict.values() if isinstance(x, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            for old in [f for f in handler.filters if isinstance(f, Redactor)]:
                handler.removeFilter(old)
            handler.addFilter(redactor)
