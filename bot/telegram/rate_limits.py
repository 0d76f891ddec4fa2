"""Telegram's flood limits as sliding windows of sends: when the next call to a chat may go.

Telegram's bot FAQ ("My bot is hitting limits, how do I avoid this?"): avoid more than about one
message per second in a chat, no more than 20 messages per minute in a group, and about 30
messages per second overall; beyond that it answers 429 with `retry_after`. How it counts is
unpublished, so each limit here is a window that no count can exceed, however it is measured:

A call holds its place in a window from the moment it starts until `width` seconds after its
answer came back, and a call starts only while fewer than `limit` places are held. Telegram
receives a call somewhere between its start and its answer. Why no `width`-second span
[s, s + width) at Telegram can see more than `limit` arrivals: take the last of them to start,
X, at t < s + width. Every other one arrived at or after s, so was answered after s > t - width:
at t each was in flight or answered less than `width` ago, holding its place; with `limit`
others X could not have started. The same holds with Telegram's arrivals replaced by our own
start times. The price is the round trip: a full window of 30 a second carries
30 / (1 + round trip in seconds) calls a second.

No token bucket and no burst: a full window stays full until its oldest answer is `width` old.
`limits` (the PyPI package) has a moving window, but it reads `time.time()` itself (tests need
an injected clock), stamps a hit when it is made rather than when the answer arrives, and has
no pauses for a 429; the window below is a deque and a counter.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]
_PRUNE_FLOOR = 1024
# 429s for this many different chats within one second: Telegram is throttling the whole bot.
CHATS_FOR_GLOBAL = 3


@dataclass
class Window:
    """At most `limit` calls held at once; a call is held from its start to `width` after its
    answer."""

    limit: int
    width: float
    in_flight: int = 0
    answered: deque[float] = field(default_factory=deque)

    def held(self, now: float) -> int:
        """Places held at `now` (calls in flight, and answers less than `width` old)."""
        self._expire(now)
        return self.in_flight + len(self.answered)

    def wait(self, now: float) -> float:
        """Seconds until a place is free: 0 now; `width` when only an answer can free one."""
        over = self.held(now) - self.limit
        if over < 0:
            return 0.0
        if over < len(self.answered):
            return self.answered[over] + self.width - now
        return self.width  # every place is a call in flight: its answer wakes the sender

    def start(self) -> None:
        """A call starts (the caller checked `wait` was 0)."""
        self.in_flight += 1

    def finish(self, now: float) -> None:
        """A call started earlier was answered (or failed) at `now`."""
        self.in_flight -= 1
        self.answered.append(now)

    def idle(self, now: float) -> bool:
        """Whether the window holds nothing (it can then be forgotten)."""
        return self.held(now) == 0

    def _expire(self, now: float) -> None:
        answered = self.answered
        while answered and answered[0] + self.width <= now:
            answered.popleft()


@dataclass
class Slot:
    """The places one call holds; give them back with `RateLimiter.finish`."""

    chat_id: int
    windows: tuple[Window, ...]


class RateLimiter:
    """The global window, one window per chat (private or group), and 429 pauses.

    Group chats are those with negative ids. `acquire` checks every window and takes a place in
    each in one step, so two callers cannot both take the last place; `finish` when answered.
    """

    def __init__(
        self,
        clock: Clock = time.monotonic,
        *,
        global_per_second: float = 30.0,
        private_per_second: float = 1.0,
        group_per_minute: float = 20.0,
    ) -> None:
        self.clock = clock
        self._global = _window(global_per_second, 1.0)
        self._private = private_per_second
        self._group = group_per_minute
        self._chats: dict[int, Window] = {}
        self._paused: dict[int, float] = {}
        self._all_paused_until = -math.inf
        self._throttled: dict[int, float] = {}  # chat -> when its last 429 came
        self._prune_at = _PRUNE_FLOOR

    def delay(self, chat_id: int, now: float | None = None, *, own_chat: bool = True) -> float:
        """Seconds to wait before a call to `chat_id` may start (0 = now).

        `own_chat=False`: a call Telegram does not count in the chat (a callback answer, a chat
        action), held by the global window and the pauses only.
        """
        now = self.clock() if now is None else now
        chat = self._chats.get(chat_id) if own_chat else None
        return max(
            0.0,
            self._global.wait(now),
            chat.wait(now) if chat is not None else 0.0,
            self._paused.get(chat_id, -math.inf) - now,
            self._all_paused_until - now,
        )

    def overall_delay(self, now: float | None = None) -> float:
        """Seconds until the overall window (and a pause of everything) lets any call start."""
        now = self.clock() if now is None else now
        return max(0.0, self._global.wait(now), self._all_paused_until - now)

    def acquire(
        self, chat_id: int, now: float | None = None, *, own_chat: bool = True
    ) -> Slot | None:
        """Take a place in every window the call counts in, or None when it must wait."""
        now = self.clock() if now is None else now
        if self.delay(chat_id, now, own_chat=own_chat) > 0:
            return None
        windows = (self._global, self._chat(chat_id)) if own_chat else (self._global,)
        for window in windows:
            window.start()
        if len(self._chats) + len(self._paused) > self._prune_at:
            self._prune(now)
        return Slot(chat_id, windows)

    def finish(self, slot: Slot, now: float | None = None) -> None:
        """The call holding `slot` was answered (whatever the answer): its places start expiring."""
        now = self.clock() if now is None else now
        for window in slot.windows:
            window.finish(now)

    def limited_chats(self, now: float | None = None) -> set[int]:
        """The chats that must wait before their next message (their own window or a pause)."""
        now = self.clock() if now is None else now
        limited = {chat for chat, window in self._chats.items() if window.wait(now) > 0}
        limited.update(chat for chat, until in self._paused.items() if until > now)
        return limited

    def throttled(self, chat_id: int | None, retry_after: float, now: float | None = None) -> str:
        """A 429 with `retry_after` for a call to `chat_id` (None: a call with no chat): pause
        the scope it names and say which ("chat" or "global").

        Telegram's 429 does not say which limit was hit. One chat's 429 pauses that chat (a
        private chat's or a group's own limit); a call with no chat, or 429s for
        `CHATS_FOR_GLOBAL` different chats within a second, pause everything.
        """
        now = self.clock() if now is None else now
        until = now + retry_after
        if chat_id is None:
            self.pause_all(until)
            return "global"
        self.pause_chat(chat_id, until)
        self._throttled[chat_id] = now
        self._throttled = {c: t for c, t in self._throttled.items() if t > now - 1.0}
        if len(self._throttled) >= CHATS_FOR_GLOBAL:
            self.pause_all(until)
            return "global"
        return "chat"

    def pause_chat(self, chat_id: int, until: float) -> None:
        """Send nothing to `chat_id` before `until` (a 429's retry_after for that chat)."""
        self._paused[chat_id] = max(until, self._paused.get(chat_id, -math.inf))

    def pause_all(self, until: float) -> None:
        """Send nothing to anyone before `until` (a 429 that is not about one chat)."""
        self._all_paused_until = max(until, self._all_paused_until)

    def _chat(self, chat_id: int) -> Window:
        window = self._chats.get(chat_id)
        if window is None:
            if chat_id < 0:
                window = _window(self._group / 60.0, 60.0)
            else:
                window = _window(self._private, 1.0)
            self._chats[chat_id] = window
        return window

    def _prune(self, now: float) -> None:
        # An idle window or an expired pause behaves exactly like none at all.
        self._chats = {k: w for k, w in self._chats.items() if not w.idle(now)}
        self._paused = {k: t for k, t in self._paused.items() if t > now}
        self._prune_at = max(_PRUNE_FLOOR, 2 * (len(self._chats) + len(self._paused)))


def _window(per_second: float, width: float) -> Window:
    """A window of `width` seconds holding what `per_second` allows in it (at least one call).

    A rate under one a second gets a wider window (0.5/s: one call per 2 s), never a burst.
    """
    limit = per_second * width
    if limit < 1:
        return Window(1, 1.0 / per_second)
    return Window(math.floor(limit + 1e-9), width)
