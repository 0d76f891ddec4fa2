"""Fields of the work in hand (update id, chat id, ticket code) that every log record carries."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

update_id: ContextVar[int | None] = ContextVar("update_id", default=None)
chat_id: ContextVar[int | None] = ContextVar("chat_id", default=None)
ticket_code: ContextVar[str | None] = ContextVar("ticket_code", default=None)
FIELDS: tuple[ContextVar[Any], ...] = (update_id, chat_id, ticket_code)


@contextmanager
def handling(update: int | None, chat: int | None) -> Iterator[None]:
    """Log records within carry this update and chat (and the ticket noted meanwhile)."""
    updates, chats, tickets = update_id.set(update), chat_id.set(chat), ticket_code.set(None)
    try:
        yield
    finally:
        ticket_code.reset(tickets)
        chat_id.reset(chats)
        update_id.reset(updates)


def note_ticket(code: str) -> None:
    """The update in hand is about this ticket (until `handling` ends)."""
    ticket_code.set(code)


def current() -> dict[str, Any]:
    """The fields set now, by name."""
    return {var.name: value for var in FIELDS if (value := var.get()) is not None}


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
        line.update(current())
        # `extra={"chat_id": ...}` of the call wins over the context.
        line.update(
            {var.name: getattr(record, var.name) for var in FIELDS if var.name in vars(record)}
        )
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
        fields = current()
        fields.update({v.name: getattr(record, v.name) for v in FIELDS if v.name in vars(record)})
        line = super().formatMessage(record)
        if not fields:
            return line
        return line + " [" + " ".join(f"{k}={v}" for k, v in fields.items()) + "]"
