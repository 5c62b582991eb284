"""Legal's search pages on both log stores: a cursor continues the search that issued it, and
one that is not (forged, or from another search) is refused with 422, never a 500."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from audit.tasks import ship_outbox
from classifier.reference import ReferenceClassifier
from core.migrate import upgrade
from runtime.container import Runtime, build_runtime
from runtime.web import create_app
from tests.audit.factories import write_events
from tests.conftest import auth, es_runtime, make_settings, new_user_token

Ship = Callable[[], None]
Params = dict[str, str | int | bool]


@pytest.fixture(params=["database", pytest.param("elasticsearch", marks=pytest.mark.services)])
def store(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[tuple[Runtime, Ship]]:
    """A runtime whose log is in the database or in Elasticsearch, and what makes the events
    written so far searchable there."""
    if request.param == "database":
        upgrade(sqlite_url)
        runtime = build_runtime(make_settings(sqlite_url), classifier=ReferenceClassifier())
        yield runtime, lambda: None
        runtime.engine.dispose()
        return
    es_url: str = request.getfixturevalue("elasticsearch_url")
    prefix: str = request.getfixturevalue("es_prefix")
    for runtime in es_runtime(sqlite_url, es_url, prefix):

        def ship(rt: Runtime = runtime) -> None:
            ship_outbox(rt)
            assert rt.action_log is not None
            rt.action_log.refresh()

        yield runtime, ship


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def _decoded(cursor: str) -> list[Any]:
    values: list[Any] = json.loads(base64.urlsafe_b64decode(cursor))
    return values


def test_forged_cursors_are_refused_with_422_on_either_store(
    store: tuple[Runtime, Ship],
) -> None:
    rt, ship = store
    write_events(rt, 5)
    with TestClient(create_app(rt)) as client:
        headers = auth(new_user_token(rt, "legal"))
        ship()
        issued = client.get("/v1/audit/events", params={"size": 2}, headers=headers).json()
        position = _decoded(issued["next_cursor"])
        forged: list[list[Any]] = [
            ["2026-01-01T00:00:00", 5],  # a time without a timezone
            ["0001-01-01T00:00:00+14:00", 5],  # an instant before the year 1 in UTC
            ["9999-12-31T23:59:59-14:00", 5],  # one after the year 9999
            ["abc", 5],
            ["2026-01-01T00:00:00+00:00", "x"],
            # the position of an issued cursor changed, the rest of it kept
            [position[0], "x", *position[2:]],
            [position[0], str(position[1]), *position[2:]],
            ["not a time", *position[1:]],
            ["2026-01-01T00:00:00", *position[1:]],
            ["0001-01-01T00:00:00+14:00", *position[1:]],
            ["9999-12-31T23:59:59-14:00", *position[1:]],
        ]
        for values in forged:
            resp = client.get(
                "/v1/audit/events", params={"cursor": _cursor(values)}, headers=headers
            )
            assert resp.status_code == 422, (values, resp.text)
            assert resp.json()["error"]["code"] == "bad_cursor", values


def test_a_cursor_continues_only_the_search_that_issued_it(store: tuple[Runtime, Ship]) -> None:
    rt, ship = store
    write_events(rt, 6, post_prefix="a", policy_version="policy-7")
    write_events(rt, 6, post_prefix="b", policy_version="policy-8")
    with TestClient(create_app(rt)) as client:
        headers = auth(new_user_token(rt, "legal"))
        ship()
        first: Params = {"policy_version": "policy-7", "size": 2}
        page = client.get("/v1/audit/events", params=first, headers=headers).json()
        cursor = page["next_cursor"]
        assert cursor
        # the same search goes on
        same = client.get("/v1/audit/events", params={**first, "cursor": cursor}, headers=headers)
        assert same.status_code == 200
        assert len(same.json()["events"]) == 2
        # another search (other filters, or drills now included) with it is refused: it would
        # skip every event of that search newer than where the first one stopped
        others: list[Params] = [
            {"policy_version": "policy-8", "size": 2},
            {"size": 2},
            {**first, "include_drills": True},
            {**first, "q": "vaccine"},
        ]
        for other in others:
            resp = client.get(
                "/v1/audit/events", params={**other, "cursor": cursor}, headers=headers
            )
            assert resp.status_code == 422, (other, resp.text)
            assert resp.json()["error"]["code"] == "bad_cursor"
        # a different page size is still the same search
        wider = client.get(
            "/v1/audit/events",
            params={"policy_version": "policy-7", "size": 10, "cursor": cursor},
            headers=headers,
        )
        assert wider.status_code == 200
        assert len(wider.json()["events"]) == 4
