"""The sender's rate limiter: Telegram's three limits as sliding windows, and 429 pauses, on a
fake clock."""

from __future__ import annotations

import bisect
import heapq
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import TelegramConfig
from bot.telegram.rate_limits import RateLimiter, Slot
from bot.telegram.runner import configured_limiter

USER, OTHER_USER, GROUP = 700_000_001, 700_000_002, -1_000_000_000_001
EPSILON = 1e-9


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def call(limiter: RateLimiter, clock: FakeClock, chat_id: int, round_trip: float = 0.0) -> float:
    """Wait (on the fake clock) as long as the limiter says, make a call answered after
    `round_trip` seconds, and return its start time."""
    for _ in range(1000):
        slot = limiter.acquire(chat_id)
        if slot is not None:
            started = clock.now
            clock.now += round_trip
            limiter.finish(slot)
            return started
        clock.now += limiter.delay(chat_id)
    raise AssertionError("the limiter never allowed the call")


def test_first_message_goes_at_once() -> None:
    limiter = RateLimiter(FakeClock())
    assert limiter.delay(USER) == 0.0
    assert isinstance(limiter.acquire(USER), Slot)


def test_private_chat_gets_one_message_per_second_counted_from_the_answer() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    times = [call(limiter, clock, USER, round_trip=0.25) for _ in range(3)]
    assert times == [1000.0, 1001.25, 1002.5]


def test_a_call_in_flight_holds_its_place_until_answered() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    slot = limiter.acquire(USER)
    assert slot is not None
    clock.now += 5
    assert limiter.acquire(USER) is None  # still no answer: Telegram may not have it yet
    limiter.finish(slot)
    assert limiter.delay(USER) == 1.0
    clock.now += 1
    assert limiter.acquire(USER) is not None


def test_private_chats_do_not_wait_for_each_other() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    call(limiter, clock, USER)
    assert limiter.delay(USER) == 1.0
    assert limiter.delay(OTHER_USER) == 0.0
    assert limiter.delay(GROUP) == 0.0


def test_group_gets_twenty_at_once_then_waits_out_the_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    times = [call(limiter, clock, GROUP) for _ in range(41)]
    assert times[:20] == [1000.0] * 20
    assert times[20:40] == [1060.0] * 20 and times[40] == 1120.0


def test_thirty_calls_overall_in_any_second_not_thirty_one() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    times = [call(limiter, clock, USER + n) for n in range(61)]
    assert times[:30] == [1000.0] * 30
    assert times[30:60] == [1001.0] * 30 and times[60] == 1002.0


def test_thirty_in_flight_block_the_thirty_first_until_answers_come() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    slots = [limiter.acquire(USER + n) for n in range(30)]
    assert all(slots)
    assert limiter.acquire(USER + 30) is None
    assert limiter.delay(USER + 30) == 1.0  # an answer will wake the sender before that
    clock.now += 0.4
    limiter.finish(slots[0])  # type: ignore[arg-type]
    assert limiter.delay(USER + 30) == 1.0  # free 1 s after that answer, not after the start
    clock.now += 1.0
    assert limiter.acquire(USER + 30) is not None


def test_calls_outside_the_chat_count_only_overall() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    call(limiter, clock, USER)
    assert limiter.delay(USER) == 1.0
    assert limiter.delay(USER, own_chat=False) == 0.0
    slot = limiter.acquire(USER, own_chat=False)
    assert slot is not None and len(slot.windows) == 1


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


def test_a_429_for_one_chat_pauses_that_chat_only() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    assert limiter.throttled(GROUP, 9) == "chat"
    assert limiter.delay(GROUP) == 9.0
    assert limiter.delay(USER) == 0.0
    assert limiter.delay(GROUP - 1) == 0.0


def test_429s_for_several_chats_at_once_or_for_no_chat_pause_everything() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    assert limiter.throttled(USER, 3) == "chat"
    clock.now += 2  # an old 429 is not part of the next burst
    assert limiter.throttled(OTHER_USER, 3) == "chat"
    assert limiter.throttled(GROUP, 3) == "chat"
    assert limiter.throttled(USER + 2, 3) == "global"
    assert limiter.delay(USER + 99) == 3.0
    assert limiter.throttled(None, 4) == "global"
    assert limiter.delay(USER + 99) == 4.0


def test_a_refused_acquire_takes_nothing() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    call(limiter, clock, USER)
    assert limiter.acquire(USER) is None
    assert limiter.acquire(USER) is None
    clock.now += 1
    assert limiter.acquire(USER) is not None


def test_limited_chats_are_those_that_must_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock, global_per_second=1000)
    call(limiter, clock, USER)
    for _ in range(20):
        call(limiter, clock, GROUP)
    limiter.pause_chat(OTHER_USER, until=clock.now + 5)
    assert limiter.limited_chats() == {USER, GROUP, OTHER_USER}
    clock.now += 1
    assert limiter.limited_chats() == {GROUP, OTHER_USER}
    clock.now += 59
    assert limiter.limited_chats() == set()


def test_many_idle_chats_are_forgotten() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    for n in range(5000):
        call(limiter, clock, USER + n)
        clock.now += 1
    call(limiter, clock, GROUP)
    assert len(limiter._chats) < 2100
    assert limiter.delay(GROUP) == 0.0


def most_in_any_window(times: list[float], width: float) -> int:
    """The most times in any half-open span [s, s + width)."""
    times = sorted(times)
    return max(
        (bisect.bisect_left(times, t + width - EPSILON) - n for n, t in enumerate(times)),
        default=0,
    )


chats = st.sampled_from([USER, OTHER_USER, USER + 2, USER + 3, GROUP, GROUP - 1])
job = st.tuples(
    st.floats(min_value=0, max_value=0.2),  # time after the previous job until this one is ready
    chats,
    st.floats(min_value=0, max_value=0.5),  # round trip
    st.floats(min_value=0, max_value=1),  # when in the round trip Telegram receives the call
)


@settings(max_examples=150, deadline=None)
@given(st.lists(job, max_size=150), st.integers(min_value=1, max_value=40))
def test_arrivals_at_telegram_never_exceed_any_limit_in_any_window(
    jobs: list[tuple[float, int, float, float]], concurrency: int
) -> None:
    """Calls in flight at once, each received by Telegram at any moment of its round trip: no
    window at Telegram ever holds more than a limit allows."""
    clock = FakeClock()
    limiter = RateLimiter(clock, global_per_second=10)  # small, so the windows fill up
    ready = 1000.0
    queue: list[tuple[float, int, float, float]] = []
    for gap, chat, round_trip, received in jobs:
        ready += gap
        queue.append((ready, chat, round_trip, received))
    answers: list[tuple[float, int, Slot]] = []  # (answered at, tie-break, slot)
    arrivals: dict[int, list[float]] = defaultdict(list)
    overall: list[float] = []
    while queue or answers:
        waiting = [j for j in queue if j[0] <= clock.now]
        started = False
        for j in waiting:
            if len(answers) >= concurrency:
                break
            slot = limiter.acquire(j[1])
            if slot is None:
                continue
            queue.remove(j)
            _, chat, round_trip, received = j
            arrivals[chat].append(clock.now + received * round_trip)
            overall.append(clock.now + received * round_trip)
            heapq.heappush(answers, (clock.now + round_trip, id(slot), slot))
            started = True
        if started:
            continue
        # Nothing more can start now: move to the next answer, ready job or free place.
        moments = [answers[0][0]] if answers else []
        moments += [j[0] for j in queue if j[0] > clock.now][:1]
        moments += [clock.now + limiter.delay(j[1]) for j in waiting if limiter.delay(j[1]) > 0]
        clock.now = max(clock.now, min(moments))
        while answers and answers[0][0] <= clock.now:
            limiter.finish(heapq.heappop(answers)[2])

    assert most_in_any_window(overall, 1.0) <= 10
    for chat, times in arrivals.items():
        if chat < 0:
            assert most_in_any_window(times, 60.0) <= 20
        else:
            assert most_in_any_window(times, 1.0) <= 1


def test_overall_delay_is_the_overall_window_or_a_pause_of_everything() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock, global_per_second=2)
    call(limiter, clock, USER)
    clock.now += 0.25
    call(limiter, clock, OTHER_USER)
    assert limiter.overall_delay() == 0.75
    limiter.pause_chat(USER + 5, until=clock.now + 9)  # one chat's pause is not everyone's
    assert limiter.overall_delay() == 0.75
    limiter.pause_all(until=clock.now + 4)
    assert limiter.overall_delay() == 4.0


def test_the_limits_follow_the_telegram_section_of_the_config() -> None:
    def sends_in_one_second(limiter: RateLimiter, chat_id: int) -> int:
        return sum(limiter.acquire(chat_id, now=1000.0) is not None for _ in range(50))

    default = configured_limiter(TelegramConfig())
    assert sends_in_one_second(default, USER) == 1
    assert sends_in_one_second(default, GROUP) == 20  # 20 a minute, in any minute
    assert sends_in_one_second(default, OTHER_USER) == 1

    quick = configured_limiter(TelegramConfig(chat_messages_per_second=10, messages_per_second=12))
    assert sends_in_one_second(quick, USER) == 10
    assert sends_in_one_second(quick, OTHER_USER) == 2  # the overall 12 a second is spent
