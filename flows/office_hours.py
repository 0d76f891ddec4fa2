"""Whether a Balcão Virtual office attends now, in its own time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from knowledge_base.models import OfficeHours


def is_open(office: OfficeHours, now: datetime) -> bool:
    """Whether `now` falls on one of the office's weekdays, between start and end."""
    if office.windows:  # the full calendar: several windows a day, closures, holidays
        return office.calendar.is_open(now)
    try:
        zone = ZoneInfo(office.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        # A zone this machine does not know must not lock users out of every office.
        return True
    aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    local = aware.astimezone(zone)
    return local.weekday() in office.weekdays and office.start <= f"{local:%H:%M}" < office.end
