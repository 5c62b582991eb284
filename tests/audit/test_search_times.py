"""A time range finds the same events in the database log as in Elasticsearch, which keeps
times to the millisecond: a bound inside a millisecond takes in that whole millisecond."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from runtime.web import create_app
from tests.audit.factories import Store, write_events
from tests.conftest import auth, new_user_token

START = datetime(2026, 3, 1, 10, 0, 0, 300, tzinfo=UTC)  # .000300: early in a millisecond
LATE = START + timedelta(microseconds=400)  # .000700: the same millisecond
NEXT = START + timedelta(milliseconds=1)  # .001300


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize(
    ("bounds", "found"),
    [
        ({"until": _iso(START + timedelta(microseconds=200))}, {"early", "late"}),
        ({"since": _iso(START + timedelta(microseconds=200))}, {"early", "late", "next"}),
        ({"since": _iso(START), "until": _iso(START)}, {"early", "late"}),
        ({"since": _iso(NEXT.replace(microsecond=999))}, {"early", "late", "next"}),
        ({"since": _iso(NEXT.replace(microsecond=1000))}, {"next"}),
        ({"until": _iso(NEXT.replace(microsecond=999))}, {"early", "late"}),
        ({"until": "9999-12-31T23:59:59.999999Z"}, {"early", "late", "next"}),
    ],
)
def test_a_time_range_finds_the_same_events_on_either_store(
    store: Store, bounds: dict[str, str], found: set[str]
) -> None:
    rt, ship = store
    for at, prefix in ((START, "early"), (LATE, "late"), (NEXT, "next")):
        write_events(rt, 1, at=at, post_prefix=prefix)
    with TestClient(create_app(rt)) as client:
        headers = auth(new_user_token(rt, "legal"))
        ship()
        params = {**bounds, "action": "case.decided"}
        page = client.get("/v1/audit/events", params=params, headers=headers).json()
        counts = client.get("/v1/audit/aggregations", params=params, headers=headers).json()
        exported = client.get("/v1/audit/export", params=params, headers=headers)
    assert {e["veracity"]["post_id"][:-1] for e in page["events"]} == found
    assert page["total"] == counts["total"] == len(found)
    assert len(exported.content.splitlines()) == len(found)
