"""Time in one place, timezone-aware UTC, so tests and services agree."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; treat them as the UTC they were stored as."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def to_utc(value: datetime) -> datetime:
    """The aware `value` as UTC: a ValueError naming it where that instant has no UTC datetime
    (9999-12-31T23:59:59-14:00 is past the year 9999 in UTC), for input validation to refuse."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value.isoformat()} is outside the range of a UTC datetime") from None
