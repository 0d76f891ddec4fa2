"""Telegram's flood limits: ~1 msg/s per private chat, 20/min per group, 30/s overall.

Two ways to count, as Telegram's own is unpublished:

- `"sliding"` (the default, the strict one): the sends that went through are kept with their
  arrival times; a send is refused (429) when the window before it, 1 s overall and per private
  chat, 60 s per group, already holds the limit (30, 1, 20). No burst ever.
- `"bucket"`: token buckets refilled at the same rates, full at the start (30 overall, a burst of
  `private_burst` per private chat, 20 per group): what a lenient server would allow.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Literal, Protocol

from .clock import Clock
from .errors import too_many_requests
from .models import FakeChat

SENDING_METHODS = frozenset(
    m.lower()
    for m in (
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendSticker",
        "sendMediaGroup",
        "sendLocation",
        "sendContact",
        "sendPoll",
        "sendDice",
        "copyMessage",
        "forwardMessage",
    )
)
EDITING_METHODS = frozenset(
    m.lower() for m in ("editMessageText", "editMessageCaption", "editMessageReplyMarkup")
)


@dataclass
class LimitConfig:
    """The limits and how they are counted; `count_edits` makes edits count too."""

    enabled: bool = True
    counting: Literal["sliding", "bucket"] = "sliding"
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20
    global_per_second: int = 30
    count_edits: bool = False


class Limit(Protocol):
    """One counted limit: how long a send must wait, and counting a send that went through."""

    def wait_time(self, now: float) -> float: ...

    def take(self, now: float) -> None: ...


class SlidingWindow:
    """At most `limit` sends in any `width` seconds, counted at their arrival."""

    def __init__(self, limit: int, width: float) -> None:
        self.limit = limit
        self.width = width
        self.arrivals: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        """Seconds until the window before `now` holds fewer than `limit` sends."""
        arrivals = self.arrivals
        while arrivals and arrivals[0] <= now - self.width:
            arrivals.popleft()
        if len(arrivals) < self.limit:
            return 0.0
        return arrivals[len(arrivals) - self.limit] + self.width - now

    def take(self, now: float) -> None:
        """Count a send that arrived at `now`."""
        self.arrivals.append(now)


class TokenBucket:
    """`capacity` tokens, refilled at `rate` per second."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 when one is available now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        """Spend one token (call after `wait_time` returned 0)."""
        self.tokens -= 1


class RateLimiter:
    """Decides whether a send to a chat is allowed now, or how long to wait (429)."""

    def __init__(self, config: LimitConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self._global = self._limit(config.global_per_second, 1.0, config.global_per_second)
        self._chats: dict[int, Limit] = {}

    def applies_to(self, method: str) -> bool:
        """Whether calls of this method spend tokens."""
        name = method.lower()
        return name in SENDING_METHODS or (self.config.count_edits and name in EDITING_METHODS)

    def admit(self, chat: FakeChat) -> None:
        """Raise 429 with retry_after when a send to `chat` is over the limits now."""
        if not self.config.enabled:
            return
        now = self.clock.now()
        wait = max(self._global.wait_time(now), self._bucket(chat, now).wait_time(now))
        if wait > 0:
            raise too_many_requests(math.ceil(wait))

    def spend(self, chat: FakeChat) -> None:
        """Count a send that went through (failed calls do not count)."""
        if not self.config.enabled:
            return
        now = self.clock.now()
        self._global.take(now)
        self._bucket(chat, now).take(now)

    def _bucket(self, chat: FakeChat, now: float) -> Limit:
        bucket = self._chats.get(chat.id)
        if bucket is None:
            bucket = self._new_bucket(chat, now)
            self._chats[chat.id] = bucket
        return bucket

    def _new_bucket(self, chat: FakeChat, now: float) -> Limit:
        cfg = self.config
        if chat.is_private:
            return self._limit(cfg.private_per_second, 1.0, cfg.private_burst)
        return self._limit(cfg.group_per_minute / 60.0, 60.0, cfg.group_per_minute)

    def _limit(self, per_second: float, width: float, burst: float) -> Limit:
        if self.config.counting == "bucket":
            return TokenBucket(per_second, burst, self.clock.now())
        return SlidingWindow(max(1, round(per_second * width)), width)
