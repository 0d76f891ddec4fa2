"""SQLite's one writer at a time, handed over within this process without polling.

Every SQLite transaction here takes the write lock at BEGIN (storage/engine.py). Threads that
find it taken wait in SQLite's busy handler, which sleeps and retries (sleeps of up to 100 ms):
with the dispatcher's workers, the sender and the intake all writing, the lock often sat free
while every waiter slept. The gate queues this process's threads on a Python lock instead, which
wakes the next one as soon as the holder's transaction ends. Other processes on the same file
still meet SQLite's busy handler, as before.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any

from sqlalchemy import Engine, event

_HELD = "triagem_writer_gate"
_GATES: weakref.WeakKeyDictionary[Engine, WriterGate] = weakref.WeakKeyDictionary()


def gate_of(engine: Engine) -> WriterGate | None:
    """The gate installed on `engine` (None on PostgreSQL)."""
    return _GATES.get(engine)


class WriterGate:
    """A lock taken at BEGIN and given back when the transaction ends, per engine."""

    def __init__(self, timeout: float) -> None:
        # Past `timeout` a transaction goes on without the gate: SQLite's busy handler decides.
        self.timeout = timeout
        self._lock = threading.Lock()
        self._holder: int | None = None
        # Transactions that found the gate taken, and their waits in seconds (for operators
        # and benchmarks: how much the one-writer store holds the process back).
        self.waits = 0
        self.waited = 0.0
        self.longest = 0.0

    def install(self, engine: Engine) -> None:
        """Wrap each transaction of `engine` (BEGIN IMMEDIATE included) in the gate."""
        _GATES[engine] = self
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)
        # Safety nets: a connection given back or dropped without its transaction ending.
        event.listen(engine.pool, "checkin", self._checked_in)
        event.listen(engine.pool, "invalidate", self._dropped)
        event.listen(engine.pool, "close", self._dropped)

    def locked(self) -> bool:
        """Whether a transaction of this process holds the gate."""
        return self._lock.locked()

    def _begin(self, connection: Any) -> None:
        self._enter(connection.info)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self._leave(connection.info)
            raise

    def _end(self, connection: Any) -> None:
        # An invalidated connection has no info left to read (reading it would reconnect);
        # the pool's invalidate event has already let the gate go.
        if not connection.invalidated:
            self._leave(connection.info)

    def _checked_in(self, _dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            self._leave(record.info)

    def _dropped(self, _dbapi_connection: Any, record: Any, *_: Any) -> None:
        self._checked_in(_dbapi_connection, record)

    def _enter(self, info: dict[str, Any]) -> None:
        if self._holder == threading.get_ident():
            # A second connection of the holding thread: waiting here would never end.
            return
        acquired = self._lock.acquire(blocking=False)
        if not acquired:
            started = time.perf_counter()
            acquired = self._lock.acquire(timeout=self.timeout)
            waited = time.perf_counter() - started
            self.waits += 1
            self.waited += waited
            self.longest = max(self.longest, waited)
        if acquired:
            self._holder = threading.get_ident()
            info[_HELD] = True

    def _leave(self, info: dict[str, Any]) -> None:
        if info.pop(_HELD, False):
            self._holder = None
            self._lock.release()
