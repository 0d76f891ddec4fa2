"""Retention: processed inbox updates and finished outbox calls are deleted once old enough."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, delete, select, update

from storage.inbox import InboxStatus
from storage.outbox import OutboxStatus
from storage.tables import InboxUpdate, MessageLink, OutboxMessage
from storage.timers import purge_finished


@dataclass(frozen=True)
class Purged:
    """How many rows a purge deleted."""

    inbox: int
    outbox: int


def purge(session: Session, *, before: datetime) -> Purged:
    """Delete inbox updates processed and outbox calls finished before `before`; count them.

    Pending rows stay whatever their age. So does the newest update: polling resumes after
    its `update_id` (storage.inbox.max_update_id), and without it Telegram could deliver again
    what was already handled.
    """
    newest = select(func.max(InboxUpdate.update_id)).scalar_subquery()
    inbox = session.exec(
        delete(InboxUpdate).where(
            col(InboxUpdate.status).in_((InboxStatus.DONE.value, InboxStatus.FAILED.value)),
            col(InboxUpdate.processed_at) < before,
            col(InboxUpdate.update_id) != newest,
        )
    )
    # A failed or dropped call keeps no time of its own; its last due time comes closest.
    finished = or_(
        and_(
            col(OutboxMessage.status) == OutboxStatus.SENT.value,
            col(OutboxMessage.sent_at) < before,
        ),
        and_(
            col(OutboxMessage.status).in_((OutboxStatus.FAILED.value, OutboxStatus.DROPPED.value)),
            col(OutboxMessage.not_before) < before,
        ),
    )
    # A link needs its call only until the copy's message id is recorded, when it is sent;
    # the link itself stays, so edits and replies still find their way.
    session.exec(
        update(MessageLink)
        .where(col(MessageLink.outbox_id).in_(select(OutboxMessage.id).where(finished)))
        .values(outbox_id=None)
    )
    outbox = session.exec(delete(OutboxMessage).where(finished))
    # Timers that already fired (or were cancelled) go with the calls they caused.
    purge_finished(session, before=before)
    session.flush()
    return Purged(inbox=int(inbox.rowcount), outbox=int(outbox.rowcount))
