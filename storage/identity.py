"""A stored object's primary key, read from its identity rather than from the row."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import inspect


class Identified(Protocol):
    """A table object with an integer `id` primary key."""

    id: int | None


def stored_id(row: Identified, *, unsaved: str) -> int:
    """The row's primary key without a query; ValueError(`unsaved`) before it has one."""
    # The identity survives commit-time expiry, so reading it costs no query.
    state = inspect(row)
    if state.identity is not None:
        return int(state.identity[0])
    if row.id is None:
        raise ValueError(unsaved)
    return row.id
