"""The audit log: every agent action and every refused attempt, append-only."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.tables import AuditEntry, Ticket

OK = "ok"
REFUSED = "refused"


def audit(
    session: Session,
    *,
    action: str,
    now: datetime,
    actor_telegram_id: int | None,
    actor_name: str = "",
    ticket: Ticket | None = None,
    outcome: str = OK,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry; `details` is JSON (never secrets or the users' own words)."""
    entry = AuditEntry(
        actor_telegram_id=actor_telegram_id,
        actor_name=actor_name[:128],
        action=action[:64],
        outcome=outcome,
        ticket_id=ticket.id if ticket is not None else None,
        ticket_code=ticket.code if ticket is not None else None,
        details=dict(details or {}),
        at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def audit_entries(
    session: Session,
    *,
    since: datetime | None = None,
    ticket_id: int | None = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> list[AuditEntry]:
    """Entries in time order (or newest first), optionally from `since` or of one ticket."""
    return list(iter_audit(session, since, ticket_id, limit, newest_first))


def iter_audit(
    session: Session,
    since: datetime | None = None,
    ticket_id: int | None = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> Iterator[AuditEntry]:
    """The same entries as `audit_entries`, streamed (for exports)."""
    query = select(AuditEntry)
    if since is not None:
        query = query.where(col(AuditEntry.at) >= since)
    if ticket_id is not None:
        query = query.where(col(AuditEntry.ticket_id) == ticket_id)
    if newest_first:
        query = query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    else:
        query = query.order_by(col(AuditEntry.at), col(AuditEntry.id))
    if limit is not None:
        query = query.limit(limit)
    yield from session.exec(query)


def entry_record(entry: AuditEntry) -> dict[str, Any]:
    """An entry as plain JSON-ready data (time in ISO 8601, UTC)."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor_telegram_id": entry.actor_telegram_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "outcome": entry.outcome,
        "ticket": entry.ticket_code,
        "details": entry.details,
    }
