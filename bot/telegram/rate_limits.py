"""Telegram's flood limits as token buckets: how long before the next message to a chat may go.

Telegram's bot FAQ ("My bot is hitting limits, how do I avoid this?"): avoid more than about one
message per second in a chat, no more than 20 messages per minute in a group, and about 30
messages per second overall. Telegram answers 429 with `retry_after` beyond that.

With a burst of 1 (the default) a bucket of rate r allows at most r·W messages in any window of
W seconds: 30 in any second, 1 per second per private chat, 20 in any minute per group. Larger
bursts allow `burst - 1` more; keep them well under Telegram's own tolerance.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]
_PRUNE_FLOOR = 1024


@dataclass
class Bucket:
    """A token bucket kept as its theoretical arrival time (GCRA), so no refill loop is needed."""

    interval: float
    burst: int
    tat: float = -math.inf

    def wait(self, now: float) -> float:
        """Seconds until this bucket has a token (0 when it has one now)."""
        return max(0.0, self.tat - (self.burst - 1) * self.interval - now)

    def take(self, now: float) -> None:
        """Spend one token."""
        self.tat = max(self.tat, now) + self.interval

    def full(self, now: float) -> bool:
        """Whether the bucket has refilled completely (it can then be forgotten)."""
        return self.tat <= now


class RateLimiter:
    """Global, per-private-chat and per-group buckets plus 429 pauses; pure arithmetic on time.

    Group chats are those with negative ids. Call `record` for every message actually attempted,
    in the same step in which `delay` returned 0 (or use `acquire`, which does both), so that two
    senders cannot both take the last token.
    """

    def __init__(
        self,
        clock: Clock = time.monotonic,
        *,
        global_per_second: float = 30.0,
        global_burst: int = 1,
        private_per_second: float = 1.0,
        private_burst: int = 1,
        group_per_minute: float = 20.0,
        group_burst: int = 1,
    ) -> None:
        self.clock = clock
        self._global = Bucket(1.0 / global_per_second, global_burst)
        self._private = (1.0 / private_per_second, private_burst)
        self._group = (60.0 / group_per_minute, group_burst)
        self._chats: dict[int, Bucket] = {}
        self._paused: dict[int, float] = {}
        self._all_paused_until = -math.inf
        self._prune_at = _PRUNE_FLOOR

    def delay(self, chat_id: int, now: float | None = None) -> float:
        """Seconds to wait before a message to `chat_id` may be sent (0 = send now)."""
        now = self.clock() if now is None else now
        chat = self._chats.get(chat_id)
        return max(
            0.0,
            self._global.wait(now),
            chat.wait(now) if chat is not None else 0.0,
            self._paused.get(chat_id, -math.inf) - now,
            self._all_paused_until - now,
        )

    def record(self, chat_id: int, now: float | None = None) -> None:
        """Count a message sent to `chat_id` at `now`."""
        now = self.clock() if now is None else now
        self._global.take(now)
        chat = self._chats.get(chat_id)
        if chat is None:
            interval, burst = self._group if chat_id < 0 else self._private
            chat = self._chats[chat_id] = Bucket(interval, burst)
        chat.take(now)
        if len(self._chats) + len(self._paused) > self._prune_at:
            self._prune(now)

    def acquire(self, chat_id: int, now: float | None = None) -> float:
        """`delay`, and when it is 0 also `record`: the send may go now."""
        now = self.clock() if now is None else now
        wait = self.delay(chat_id, now)
        if wait == 0.0:
            self.record(chat_id, now)
        return wait

    def limited_chats(self, now: float | None = None) -> set[int]:
        """The chats that must wait before their next message (their own limit or a pause)."""
        now = self.clock() if now is None else now
        limited = {chat for chat, bucket in self._chats.items() if bucket.wait(now) > 0}
        limited.update(chat for chat, until in self._paused.items() if until > now)
        return limited

    def pause_chat(self, chat_id: int, until: float) -> None:
        """Send nothing to `chat_id` before `until` (a 429's retry_after for that chat)."""
        self._paused[chat_id] = max(until, self._paused.get(chat_id, -math.inf))

    def pause_all(self, until: float) -> None:
        """Send nothing to anyone before `until` (a 429 that is not about one chat)."""
        self._all_paused_until = max(until, self._all_paused_until)

    def _prune(self, now: float) -> None:
        # A full bucket or an expired pause behaves exactly like none at all.
        self._chats = {k: b for k, b in self._chats.items() if not b.full(now)}
        self._paused = {k: t for k, t in self._paused.items() if t > now}
        self._prune_at = max(_PRUNE_FLOOR, 2 * (len(self._chats) + len(self._paused)))
