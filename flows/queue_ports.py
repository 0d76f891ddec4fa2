"""What the Balcão Virtual flows read: the person's place in a live queue, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

WAITING, CALLED, SERVING, DONE = "waiting", "called", "serving", "done"


@dataclass(frozen=True)
class EntryView:
    """One of the person's places in an office's queue, as they may see it."""

    id: int
    office_id: str
    status: str
    # 1 for the first in line; None unless waiting.
    position: int | None = None
    # From the office's recent service times; None until there is data.
    estimate_minutes: int | None = None
    rated: bool = False

    @property
    def leavable(self) -> bool:
        """Whether the person may still give up the place."""
        return self.status in (WAITING, CALLED)


class QueueReader(Protocol):
    """Read access to the current person's queue entries; others' are invisible."""

    def current(self) -> EntryView | None:
        """The person's active place (waiting, called or in service), if any."""
        ...

    def entry(self, entry_id: int) -> EntryView | None:
        """One of the person's entries by id (any status), else None."""
        ...
