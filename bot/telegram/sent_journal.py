"""The sent journal: Telegram's "accepted" written down at once, before the store hears of it.

Telegram has no idempotency key: a call it accepted but the store has not recorded as sent goes
out again after a restart. Recording it is a transaction that may wait for the SQLite write lock
behind a dispatcher batch (tens of milliseconds under load). The journal narrows that window for
a killed process (`kill -9`, the OOM killer, a crash): right after the answer, one `write()` of
a short line to a file beside the database. The kernel keeps what was written whatever happens
to the process, so the next sender to take the lease records those calls as sent before it
sends anything. A power cut can still lose the last lines (no fsync: that would cost what the
journal saves); then the store's own record is the guarantee, as without a journal. A
PostgreSQL store's journal is a file in the local data directory (`sent_journal` below): on
PostgreSQL the record is a network round trip and a commit, a window as wide as SQLite's.

Lines hold the outbox id and the ids Telegram returned (message, topic): nothing of the text.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from storage.sender_lease import sqlite_file

log = logging.getLogger(__name__)

SUFFIX = ".sent-journal"
# Where a PostgreSQL store's journal lives: the data directory of the default SQLite store.
DATA = Path("data")
# Kept from a result: what the outbox row and the desk's hooks read (ids, never text).
KEPT = ("message_id", "message_thread_id")
# Emptied once every line is recorded and it has grown past this many bytes.
TRUNCATE_AT = 64 * 1024


def sent_journal(engine: Engine, directory: Path | None = None) -> SentJournal | None:
    """The journal of the engine's store: beside a SQLite file; for PostgreSQL, in `directory`
    (the data directory of the machine running this sender); None for an in-memory store."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        path = sqlite_file(url)
        return None if path is None else SentJournal(Path(f"{path}{SUFFIX}"))
    # One file per store (server, database and search_path), never the password: a restarted
    # sender on this machine replays what this one wrote. A sender on another machine that
    # takes the lease cannot see it; there the store's own record is the guarantee, and this
    # machine's lines, replayed later, touch only rows still pending (Telegram accepted them).
    where = url.render_as_string(hide_password=True)
    name = f"{url.database or 'store'}-{zlib.crc32(where.encode()):08x}{SUFFIX}"
    return SentJournal((DATA if directory is None else directory) / name)


def kept(result: Any) -> Any:
    """What the journal keeps of Telegram's result."""
    if isinstance(result, Mapping):
        return {key: result[key] for key in KEPT if key in result}
    return result if isinstance(result, bool | int) or result is None else True


class SentJournal:
    """An append-only file of (outbox id, result) lines; one writer, the lease's holder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._unrecorded = 0

    def accepted(self, outbox_id: int, result: Any) -> None:
        """Telegram accepted the call: one line, one write() (a kill after it loses nothing)."""
        line = json.dumps({"id": outbox_id, "result": kept(result)}, separators=(",", ":"))
        os.write(self._open(), (line + "\n").encode())
        self._unrecorded += 1

    def recorded(self) -> None:
        """The store has recorded one accepted call; empty the file when nothing is left."""
        self._unrecorded = max(0, self._unrecorded - 1)
        fd = self._fd
        if self._unrecorded == 0 and fd is not None and os.fstat(fd).st_size > TRUNCATE_AT:
            os.ftruncate(fd, 0)

    def entries(self) -> list[tuple[int, Any]]:
        """Every (outbox id, result) written and not emptied yet; a torn line is skipped."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        found = []
        for line in text.splitlines():
            with contextlib.suppress(ValueError, KeyError, TypeError):
                entry = json.loads(line)
                found.append((int(entry["id"]), entry["result"]))
        return found

    def clear(self) -> None:
        """Empty the journal (its entries are all in the store)."""
        os.ftruncate(self._open(), 0)
        self._unrecorded = 0

    def close(self) -> None:
        """Close the file (it stays, for the next holder), emptied when all is recorded: a
        store re-created later (its ids starting again) must not meet old lines."""
        fd, self._fd = self._fd, None
        if fd is not None:
            if self._unrecorded == 0:
                os.ftruncate(fd, 0)
            os.close(fd)

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return self._fd
