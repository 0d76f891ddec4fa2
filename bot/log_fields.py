"""Fields of the work in hand (update id, chat id, ticket code) that every log record carries."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# The fields of the update in hand; None outside `handling` (nothing to add, nothing to leak).
_scope: ContextVar[dict[str, Any] | None] = ContextVar("log_fields", default=None)
FIELDS = ("update_id", "chat_id", "ticket_code")


@contextmanager
def handling(update: int | None, chat: int | None) -> Iterator[None]:
    """Log records within carry this update and chat (and the ticket noted meanwhile)."""
    fields = {"update_id": update, "chat_id": chat}
    token = _scope.set({k: v for k, v in fields.items() if v is not None})
    try:
        yield
    finally:
        _scope.reset(token)


def note_ticket(code: str) -> None:
    """The update in hand is about this ticket (a no-op outside `handling`)."""
    scope = _scope.get()
    if scope is not None:
        scope["ticket_code"] = code


def current(record: logging.LogRecord | None = None) -> dict[str, Any]:
    """The fields of the update in hand, by name; a record's own (`extra=`) win."""
    fields = dict(_scope.get() or {})
    if record is not None:
        fields.update({name: getattr(record, name) for name in FIELDS if name in vars(record)})
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the fields, the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(current(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["traceback"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The readable line, with the fields set appended as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The line, plus ` [update_id=... chat_id=...]` when the record has fields."""
        fields = current(record)
        line = super().formatMessage(record)
        if not fields:
            return line
        return line + " [" + " ".join(f"{k}={v}" for k, v in fields.items()) + "]"
