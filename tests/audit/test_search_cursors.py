"""Legal's search pages on both log stores: a cursor continues the search that issued it, and
one that is not (forged, or from another search) is refused with 422, never a 500."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi.testclient import TestClient

from runtime.web import create_app
from tests.audit.factories import Store, write_events
from tests.conftest import auth, new_user_token

Params = dict[str, str | int | bool]


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def _decoded(cursor: str) -> list[Any]:
    values: list[Any] = json.loads(base64.urlsafe_b64decode(cursor))
    return values


def test_forged_cursors_are_refused_with_422_on_either_store(
    store: Store,
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


def test_a_cursor_continues_only_the_search_that_issued_it(store: Store) -> None:
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
