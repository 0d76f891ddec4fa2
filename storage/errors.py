"""Exceptions raised by the storage layer, so callers can catch them without importing SQL."""

from __future__ import annotations


class StorageError(Exception):
    """Base class of every error the storage layer raises on purpose."""


class InvalidTransition(StorageError):
    """A ticket status change that the lifecycle does not allow."""

    def __init__(self, old: str, new: str, allowed: frozenset[str]) -> None:
        self.old = old
        self.new = new
        self.allowed = allowed
        options = ", ".join(sorted(allowed)) or "none, it is final"
        super().__init__(f"ticket status cannot go from {old!r} to {new!r} (allowed: {options})")


class StaleConversation(StorageError):
    """The conversation changed since it was loaded: saving would lose another update."""

    def __init__(self, chat_id: int, user_id: int, expected_version: int | None) -> None:
        self.chat_id = chat_id
        self.user_id = user_id
        self.expected_version = expected_version
        if expected_version is None:
            what = "was created by another writer"
        else:
            what = f"is no longer at version {expected_version}"
        super().__init__(
            f"conversation chat={chat_id} user={user_id} {what}; "
            "reload it and apply the event again"
        )


class TicketNotRateable(StorageError):
    """A rating for a ticket that is not resolved, or that was already rated."""


class CodeSpaceExhausted(StorageError):
    """Every attempt to draw a free ticket code collided; the prefix's code space is crowded."""


class SchemaOutdated(StorageError):
    """The database schema is behind the code and automatic upgrade is off."""


class SchemaUnknown(StorageError):
    """The database carries a schema revision this code does not know (newer code ran on it)."""


class UpdateAlreadyProcessed(StorageError):
    """The inbox update was finished elsewhere meanwhile: this processing must be rolled back."""

    def __init__(self, update_id: int, status: str) -> None:
        self.update_id = update_id
        self.status = status
        super().__init__(
            f"update {update_id} is already {status}; "
            "roll back so its effects are not applied twice"
        )
