"""UtcDateTime stores the instant it is given, whatever offset the value carries, on SQLite (whose
DateTime keeps no offset) as on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from audit.models import AuditEvent
from core.clock import to_utc
from core.types import UtcDateTime
from pipeline.models import Post
from runtime.container import Runtime
from tests.conftest import auth
from tests.core.backends import engine_at

PLUS_5 = timezone(timedelta(hours=5))
MINUS_14 = timezone(timedelta(hours=-14))
PLUS_14 = timezone(timedelta(hours=14))

_metadata = sa.MetaData()
_times = sa.Table(
    "times",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime, nullable=False),
)


@pytest.fixture
def engine(empty_url: str) -> Iterator[sa.Engine]:
    with engine_at(empty_url) as made:
        _metadata.create_all(made)
        yield made


def _insert(engine: sa.Engine, *values: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(_times), [{"id": i, "at": at} for i, at in enumerate(values)])


def test_an_offset_datetime_reads_back_as_the_same_instant_in_utc(engine: sa.Engine) -> None:
    _insert(engine, datetime(2026, 11, 30, 10, 0, tzinfo=PLUS_5))
    with engine.connect() as conn:
        stored = conn.execute(sa.select(_times.c.at)).scalar_one()
    assert stored == datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)


def test_a_where_clause_against_an_offset_datetime_compares_instants(engine: sa.Engine) -> None:
    _insert(
        engine,
        datetime(2026, 11, 30, 4, 0, tzinfo=UTC),  # 09:00 at +05:00: before
        datetime(2026, 11, 30, 6, 0, tzinfo=UTC),  # 11:00 at +05:00: after
    )
    since = datetime(2026, 11, 30, 10, 0, tzinfo=PLUS_5)
    with engine.connect() as conn:
        after = conn.execute(sa.select(_times.c.id).where(_times.c.at >= since)).scalars().all()
        before = conn.execute(sa.select(_times.c.id).where(since > _times.c.at)).scalars().all()
        between = conn.execute(
            sa.select(_times.c.id).where(_times.c.at.between(since - timedelta(hours=2), since))
        )
    assert (after, before, between.scalars().all()) == ([1], [0], [0])


@pytest.mark.parametrize(
    "value",
    [datetime(9999, 12, 31, 23, 59, 59, tzinfo=MINUS_14), datetime(1, 1, 1, tzinfo=PLUS_14)],
)
def test_a_value_whose_utc_instant_is_out_of_range_is_refused(value: datetime) -> None:
    with pytest.raises(ValueError, match="outside the range of a UTC datetime"):
        UtcDateTime().process_bind_param(value, sa.create_engine("sqlite://").dialect)
    with pytest.raises(ValueError, match="outside the range of a UTC datetime"):
        to_utc(value)  # what input validation can call to refuse it before it gets here


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        UtcDateTime().process_bind_param(
            datetime(2026, 1, 1), sa.create_engine("sqlite://").dialect
        )


def test_a_scored_posts_offset_creation_time_is_stored_as_the_instant_the_log_records(
    rt: Runtime, client: TestClient, platform_key: str
) -> None:
    post = {"id": "tz1", "text": "a post", "created_at": "2026-11-30T10:00:00+05:00"}
    assert client.post("/v1/score", json={"posts": [post]}, headers=auth(platform_key)).is_success
    with rt.sessions() as session:
        stored = session.get_one(Post, "tz1").created_at
        scored = session.scalars(sa.select(AuditEvent).where(AuditEvent.post_id == "tz1")).one()
    posted_at = scored.document["veracity"]["after"]["posted_at"]  # type: ignore[index]
    assert stored == datetime(2026, 11, 30, 5, 0, tzinfo=UTC) == datetime.fromisoformat(posted_at)
