"""The bot's pending updates: getUpdates offset confirmation, long polling, allowed_updates."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from .errors import conflict
from .signals import Pulse

# Without allowed_updates Telegram sends every type except these.
NOT_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
TERMINATED = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)


class UpdateQueue:
    """Updates not yet confirmed by the bot, oldest first."""

    def __init__(self, first_update_id: int = 100_000_001) -> None:
        self.pending: list[dict[str, Any]] = []
        self.allowed: frozenset[str] | None = None
        self._next_id = first_update_id
        self._poll_generation = 0
        self._closing = False
        self.arrived = Pulse()

    def accepts(self, kind: str) -> bool:
        """Whether an update of this type is wanted by the current allowed_updates."""
        if self.allowed is None:
            return kind not in NOT_DEFAULT
        return kind in self.allowed

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update (None when allowed_updates filters it out)."""
        if not self.accepts(kind):
            return None
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self.pending.append(update)
        self.arrived.fire()
        return update

    def set_allowed(self, kinds: Iterable[str] | None) -> None:
        """Apply allowed_updates; an empty list means the default set."""
        if kinds is None:
            return
        chosen = frozenset(kinds)
        self.allowed = chosen or None

    def confirm(self, offset: int) -> None:
        """Forget confirmed updates: ids below a positive offset, or all but the last -offset."""
        if offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        elif offset < 0:
            self.pending = self.pending[offset:]

    def drop_all(self) -> None:
        """drop_pending_updates."""
        self.pending.clear()

    def take(self, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` pending updates, still pending until confirmed."""
        return self.pending[:limit]

    def remove(self, update_id: int) -> None:
        """Forget one update (a webhook answered 200 for it)."""
        self.pending = [u for u in self.pending if u["update_id"] != update_id]

    async def poll(self, offset: int, limit: int, timeout: float) -> list[dict[str, Any]]:
        """getUpdates: confirm, then return at once or wait up to `timeout` for an update."""
        self._poll_generation += 1
        generation = self._poll_generation
        self.arrived.fire()  # an older long poll sees the new generation and ends with 409
        self.confirm(offset)
        deadline = time.monotonic() + max(0.0, timeout)
        while not self.pending and not self._closing:
            if not await self.arrived.wait(deadline - time.monotonic()):
                break
            if generation != self._poll_generation:
                raise conflict(TERMINATED)
        return self.take(limit)

    def close(self) -> None:
        """Release every long poll (server shutdown)."""
        self._closing = True
        self.arrived.fire()
