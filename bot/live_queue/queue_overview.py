"""/fila in an agents' group, for the Balcão Virtual: each office's queue at a glance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

from sqlmodel import Session

from bot.live_queue.messages import QueueMessages
from knowledge_base.models import OfficeHours
from storage.live_queue import attending, ended_since, waiting


def office_summaries(
    session: Session, offices: list[OfficeHours], messages: QueueMessages, now: datetime
) -> list[dict[str, object]]:
    """Waiting, called, served, the oldest wait, the estimate and today's outcomes per office."""
    summaries: list[dict[str, object]] = []
    for office in offices:
        line = waiting(session, office_id=office.id)
        busy = attending(session, office_id=office.id)
        zone = office.calendar.zone
        midnight = datetime.combine(now.astimezone(zone).date(), time(), zone)
        today = ended_since(session, office_id=office.id, since=midnight)
        oldest = min((e.joined_at for e in line), default=None)
        summaries.append(
            {
                "name": office.name,
                "open": office.calendar.is_open(now),
                "waiting": len(line),
                "called": sum(1 for e in busy if e.status == "called"),
                "serving": sum(1 for e in busy if e.status == "serving"),
                "oldest_minutes": None
                if oldest is None
                else int((now - oldest).total_seconds() // 60),
                "minutes": messages.estimate(session, office.id, len(line) + 1),
                "done": today.get("done", 0),
                "missed": today.get("missed", 0),
                "left": today.get("left", 0),
            }
        )
    return summaries


SummaryHook = Callable[[Session, int], list[dict[str, object]]]
