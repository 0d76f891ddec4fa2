"""The person's queue entries as the flows read them (flows.queue_ports.QueueReader)."""

from __future__ import annotations

from sqlmodel import Session

from bot.live_queue.messages import QueueMessages
from flows.queue_ports import EntryView
from storage.live_queue import active_entry, entry_by_id, position, rating_of
from storage.queue_tables import QueueEntry


class StoreQueueReader:
    """Reads one person's entries, with position and estimated wait, in the turn's session."""

    def __init__(self, session: Session, user_id: int, messages: QueueMessages) -> None:
        self.session = session
        self.user_id = user_id
        self.messages = messages

    def current(self) -> EntryView | None:
        """The person's active place, if any."""
        entry = active_entry(self.session, user_id=self.user_id)
        return None if entry is None else self._view(entry)

    def entry(self, entry_id: int) -> EntryView | None:
        """One of the person's entries by id."""
        entry = entry_by_id(self.session, entry_id=entry_id)
        if entry is None or entry.user_id != self.user_id:
            return None
        return self._view(entry)

    def _view(self, entry: QueueEntry) -> EntryView:
        assert entry.id is not None
        place = position(self.session, entry=entry)
        minutes = (
            None if place is None else self.messages.estimate(self.session, entry.office_id, place)
        )
        rated = rating_of(self.session, entry_id=entry.id) is not None
        return EntryView(entry.id, entry.office_id, entry.status, place, minutes, rated)
