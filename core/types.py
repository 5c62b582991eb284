"""Column types shared by every domain's models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from sqlalchemy import DateTime, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import mapped_column

from core.clock import as_utc, to_utc, utcnow


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware on the way in and out, on SQLite as on PostgreSQL.

    Every value is bound as UTC (in inserts, updates and WHERE clauses alike): SQLite's DateTime
    keeps the wall time and drops the offset, so 10:00+05:00 would otherwise read back as 10:00 UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return to_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else to_utc(as_utc(value))


# A time that defaults to when the row is written: `created_at: Mapped[WrittenAt]`.
WrittenAt = Annotated[datetime, mapped_column(UtcDateTime, default=utcnow)]
