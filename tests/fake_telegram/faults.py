"""Fault injection: scripted failures, random 5xx, 429 storms and artificial latency."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from .clock import Clock
from .errors import ApiError, proxy_error_page, server_error, too_many_requests
from .limits import SENDING_METHODS

ANY = "*"


@dataclass
class Fault:
    """An injected error; with `after_effect` the method runs first, then the answer is lost."""

    error: ApiError
    after_effect: bool = False


@dataclass
class _Scripted:
    method: str
    status: int
    remaining: int
    description: str | None
    after_effect: bool
    retry_after: int
    html: bool = False


def _names(methods: Iterable[str] | None) -> frozenset[str] | None:
    return None if methods is None else frozenset(m.lower() for m in methods)


class Faults:
    """What goes wrong next; the server consults it before running each method."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.clear()

    def clear(self) -> None:
        """Stop injecting anything."""
        self._scripted: list[_Scripted] = []
        self._random_rate = 0.0
        self._random: random.Random = random.Random(0)
        self._random_methods: frozenset[str] | None = None
        self._random_statuses: tuple[int, ...] = (500, 502)
        self._storm_until = 0.0
        self._storm_retry_after = 1
        self._storm_methods: frozenset[str] | None = SENDING_METHODS
        self._latency = 0.0
        self._latency_methods: frozenset[str] | None = None

    def fail_next(
        self,
        method: str = ANY,
        status: int = 502,
        count: int = 1,
        *,
        description: str | None = None,
        after_effect: bool = False,
        retry_after: int = 1,
        html: bool = False,
    ) -> None:
        """The next `count` calls of `method` ("*" = any) fail with `status` (429 carries
        `retry_after`); `after_effect=True` applies the call before failing (lost answer);
        `html=True` answers a 5xx with a proxy's HTML error page instead of JSON."""
        self._scripted.append(
            _Scripted(method.lower(), status, count, description, after_effect, retry_after, html)
        )

    def random_5xx(
        self,
        rate: float,
        *,
        seed: int = 0,
        methods: Iterable[str] | None = None,
        statuses: tuple[int, ...] = (500, 502),
    ) -> None:
        """Fail a `rate` fraction of calls (of `methods`, default all) with a random 5xx."""
        self._random_rate = rate
        self._random = random.Random(seed)
        self._random_methods = _names(methods)
        self._random_statuses = statuses

    def storm_429(
        self, seconds: float, *, retry_after: int = 1, methods: Iterable[str] | None = None
    ) -> None:
        """For `seconds` of the server clock, sending methods (or `methods`) get 429."""
        self._storm_until = self.clock.now() + seconds
        self._storm_retry_after = retry_after
        self._storm_methods = SENDING_METHODS if methods is None else _names(methods)

    def latency(self, seconds: float, *, methods: Iterable[str] | None = None) -> None:
        """Delay answers to `methods` (default all) by `seconds` of real time."""
        self._latency = seconds
        self._latency_methods = _names(methods)

    def delay_for(self, method: str) -> float:
        """Artificial latency for this call."""
        if self._latency_methods is not None and method.lower() not in self._latency_methods:
            return 0.0
        return self._latency

    def decide(self, method: str) -> Fault | None:
        """The fault for this call, if any (consumes scripted failures)."""
        name = method.lower()
        for item in self._scripted:
            if item.remaining > 0 and item.method in (ANY, name):
                item.remaining -= 1
                self._scripted = [s for s in self._scripted if s.remaining > 0]
                return Fault(self._error(item), item.after_effect)
        storm = self._storm_methods
        if self.clock.now() < self._storm_until and (storm is None or name in storm):
            return Fault(too_many_requests(self._storm_retry_after))
        chosen = self._random_methods
        wanted = self._random_rate > 0 and (chosen is None or name in chosen)
        if wanted and self._random.random() < self._random_rate:
            return Fault(server_error(self._random.choice(self._random_statuses)))
        return None

    @staticmethod
    def _error(item: _Scripted) -> ApiError:
        if item.status == 429:
            return too_many_requests(item.retry_after)
        if item.html and item.status >= 500:
            return proxy_error_page(item.status)
        if item.description is not None:
            return ApiError(item.status, item.description)
        if item.status >= 500:
            return server_error(item.status)
        return ApiError(item.status, "Bad Request: injected failure")
