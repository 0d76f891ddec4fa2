"""Files users send with their tickets, kept as Telegram file references (never the bytes)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlmodel import Session, col, select

from storage.tables import Attachment, Ticket


class AttachmentRef(Protocol):
    """A file as Telegram describes it; `flows.events.Attachment` fits this."""

    @property
    def file_id(self) -> str: ...
    @property
    def file_name(self) -> str | None: ...
    @property
    def size(self) -> int | None: ...
    @property
    def mime_type(self) -> str | None: ...
    @property
    def kind(self) -> str: ...


def add_attachment(
    session: Session, *, ticket: Ticket, attachment: AttachmentRef, now: datetime
) -> Attachment:
    """Keep the reference to a file the user sent for this ticket."""
    if ticket.id is None:
        raise ValueError("the ticket must be flushed before attachments can reference it")
    row = Attachment(
        ticket_id=ticket.id,
        file_id=attachment.file_id,
        file_name=attachment.file_name,
        size=attachment.size,
        mime_type=attachment.mime_type,
        kind=attachment.kind,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def attachments_of(session: Session, *, ticket_id: int) -> list[Attachment]:
    """The files sent with a ticket, in the order they arrived."""
    query = select(Attachment).where(Attachment.ticket_id == ticket_id).order_by(col(Attachment.id))
    return list(session.exec(query).all())
