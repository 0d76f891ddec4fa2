"""The sender's rate limiter: Telegram's three limits and 429 pauses, on a fake clock."""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.telegram.rate_limits import RateLimiter

USER, OTHER_USER, GROUP = 700_000_001, 700_000_002, -1_000_000_000_001
EPSILON = 1e-9  # float rounding of 1/30 s steps


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def send_when_allowed(limiter: RateLimiter, clock: FakeClock, chat_id: int) -> float:
    """Wait (on the fake clock) as long as the limiter says, send, and return the send time."""
    for _ in range(1000):
        wait = limiter.delay(chat_id)
        if wait == 0:
            limiter.record(chat_id)
            return clock.now
        clock.now += wait
    raise AssertionError("the limiter never allowed the send")


def test_first_message_goes_at_once() -> None:
    limiter = RateLimiter(FakeClock())
    assert limiter.delay(USER) == 0.0


def test_private_chat_gets_one_message_per_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    times = [send_when_allowed(limiter, clock, USER) for _ in range(4)]
    assert times == [1000.0, 1001.0, 1002.0, 1003.0]


def test_private_chats_do_not_wait_for_each_other() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limiter.record(USER)
    assert limiter.delay(USER) == 1.0
    assert limiter.delay(OTHER_USER) == pytest.approx(1 / 30)
    assert limiter.delay(GROUP) == pytest.approx(1 / 30)


def test_private_burst_allows_that_many_at_once() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock, private_burst=3, global_burst=3)
    for _ in range(3):
        limiter.record(USER)
    assert limiter.delay(USER) == 1.0


def test_group_gets_twenty_messages_per_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    times = [send_when_allowed(limiter, clock, GROUP) for _ in range(21)]
    assert times[19] - times[0] == 57.0 and times[20] - times[0] == 60.0
    assert [round(b - a, 9) for a, b in itertools.pairwise(times)] == [3.0] * 20


def test_group_burst_then_the_minute_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock, group_burst=20, global_burst=20)
    times = [send_when_allowed(limiter, clock, GROUP) for _ in range(21)]
    assert times[19] == 1000.0 and times[20] == 1003.0


def test_thirty_messages_per_second_overall() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    times = [send_when_allowed(limiter, clock, USER + n) for n in range(61)]
    assert abs(times[30] - times[0] - 1.0) < EPSILON
    assert abs(times[60] - times[0] - 2.0) < EPSILON


def test_idle_time_does_not_bank_more_than_the_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limiter.record(USER)
    clock.now += 3600
    limiter.record(USER)
    assert limiter.delay(USER) == 1.0


def test_pause_chat_holds_that_chat_only() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limiter.pause_chat(USER, until=clock.now + 7)
    assert limiter.delay(USER) == 7.0
    assert limiter.delay(OTHER_USER) == 0.0
    limiter.pause_chat(USER, until=clock.now + 2)  # a shorter pause does not cut the longer one
    clock.now += 7
    assert limiter.delay(USER) == 0.0


def test_pause_all_holds_every_chat() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limiter.pause_all(until=clock.now + 5)
    assert limiter.delay(USER) == limiter.delay(GROUP) == 5.0
    clock.now += 5
    assert limiter.delay(USER) == limiter.delay(GROUP) == 0.0


def test_acquire_records_only_when_it_says_go() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    assert limiter.acquire(USER) == 0.0
    assert limiter.acquire(USER) == 1.0
    assert limiter.acquire(USER) == 1.0  # the refused call took nothing
    clock.now += 1
    assert limiter.acquire(USER) == 0.0


def test_limited_chats_are_those_that_must_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock, global_per_second=1000)
    limiter.record(USER)
    limiter.record(GROUP)
    limiter.pause_chat(OTHER_USER, until=clock.now + 5)
    assert limiter.limited_chats() == {USER, GROUP, OTHER_USER}

    clock.now += 1
    assert limiter.limited_chats() == {GROUP, OTHER_USER}  # a group waits 3 s per message
    clock.now += 4
    assert limiter.limited_chats() == set()
    assert all(limiter.delay(chat) == 0 for chat in (USER, OTHER_USER, GROUP))


def test_many_idle_chats_are_forgotten() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    for n in range(5000):
        limiter.record(USER + n, clock.now)
        clock.now += 1
    limiter.record(GROUP)
    assert len(limiter._chats) < 2100
    assert limiter.delay(GROUP) == 3.0


def count_in_window(times: list[float], start: float, width: float) -> int:
    """Sends in [start, start + width), allowing for float rounding at the far edge."""
    return bisect.bisect_left(times, start + width - EPSILON) - bisect.bisect_left(times, start)


def assert_within(times: list[float], width: float, most: int) -> None:
    for start in times:
        assert count_in_window(times, start, width) <= most, (start, width, most)


chats = st.sampled_from([USER, OTHER_USER, USER + 2, GROUP, GROUP - 1])
event = st.tuples(
    st.floats(min_value=0, max_value=5, allow_nan=False),  # time until the message is ready
    chats,
    st.sampled_from([None, None, None, 0.5, 3.0]),  # sometimes a 429 with this retry_after
    st.booleans(),  # whether that 429 pauses everyone or just the chat
)


@settings(max_examples=200, deadline=None)
@given(st.lists(event, max_size=120))
def test_following_delay_never_exceeds_any_limit_in_any_window(
    events: list[tuple[float, int, float | None, bool]],
) -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    sent: list[float] = []
    by_chat: dict[int, list[float]] = defaultdict(list)
    pauses: list[tuple[int | None, float, float]] = []
    for gap, chat, retry_after, everyone in events:
        clock.now += gap
        at = send_when_allowed(limiter, clock, chat)
        sent.append(at)
        by_chat[chat].append(at)
        if retry_after is not None:
            until = at + retry_after
            if everyone:
                limiter.pause_all(until)
            else:
                limiter.pause_chat(chat, until)
            pauses.append((None if everyone else chat, at, until))

    assert_within(sent, 1.0, 30)
    for chat, times in by_chat.items():
        if chat < 0:
            assert_within(times, 60.0, 20)
        else:
            assert_within(times, 1.0, 1)
    for paused, start, until in pauses:
        for chat, times in by_chat.items():
            if paused is None or paused == chat:
                assert not any(start < t < until for t in times)
