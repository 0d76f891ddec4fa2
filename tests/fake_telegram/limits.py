"""Telegram's flood limits: ~1 msg/s per private chat, 20/min per group, 30/s overall."""

from __future__ import annotations

import math
from dataclasses import dataclass

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
    """Rates of the token buckets; `count_edits` makes edits spend tokens too."""

    enabled: bool = True
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20
    global_per_second: int = 30
    count_edits: bool = False


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

    def take(self) -> None:
        """Spend one token (call after `wait_time` returned 0)."""
        self.tokens -= 1


class RateLimiter:
    """Decides whether a send to a chat is allowed now, or how long to wait (429)."""

    def __init__(self, config: LimitConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self._global = TokenBucket(config.global_per_second, config.global_per_second, clock.now())
        self._chats: dict[int, TokenBucket] = {}

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
        self._global.take()
        self._bucket(chat, self.clock.now()).take()

    def _bucket(self, chat: FakeChat, now: float) -> TokenBucket:
        bucket = self._chats.get(chat.id)
        if bucket is None:
            bucket = self._new_bucket(chat, now)
            self._chats[chat.id] = bucket
        return bucket

    def _new_bucket(self, chat: FakeChat, now: float) -> TokenBucket:
        if chat.is_private:
            cfg = self.config
            return TokenBucket(cfg.private_per_second, cfg.private_burst, now)
        per_minute = self.config.group_per_minute
        return TokenBucket(per_minute / 60.0, per_minute, now)
