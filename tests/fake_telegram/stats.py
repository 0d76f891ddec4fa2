"""Counters of what the fake server answered."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Stats:
    """Requests per method and status; 429s split by cause."""

    calls: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    served_429: int = 0
    rate_limited: int = 0
    faults_injected: int = 0

    def record(self, method: str, status: int) -> None:
        """Count one answered request."""
        self.calls[method] += 1
        self.statuses[status] += 1
        if status == 429:
            self.served_429 += 1

    @property
    def server_errors(self) -> int:
        """How many 5xx answers were served."""
        return sum(n for status, n in self.statuses.items() if status >= 500)
