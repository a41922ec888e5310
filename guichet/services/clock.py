"""Local time of the towns: days and hours are Paris days and hours, stored instants are UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def now() -> datetime:
    return datetime.now(UTC)


def local_day(instant: datetime) -> date:
    return instant.astimezone(PARIS).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """UTC instants [start, end) of a Paris calendar day (23 or 25 hours on DST change days)."""
    start = datetime.combine(day, time(0), tzinfo=PARIS)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS)
    return start.astimezone(UTC), end.astimezone(UTC)
