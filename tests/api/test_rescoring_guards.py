"""Re-sending a post id: a drill and the platform never read or write each other's posts. On
the embedded SQLite database and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from audit.models import AuditEvent
from core.db import transaction
from pipeline.models import Post, ReviewCase, Score
from pipeline.queue import open_case_for_post
from pipeline.routing import RoutingPolicy
from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import auth, new_api_key

URGENT = "Miracle cure: drinking bleach cures COVID-19, share before they delete it!!"
HARMLESS = "The weather is lovely today"


@pytest.fixture
def api(any_rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(any_rt)) as client:
        yield client


def _send(client: TestClient, key: str, post: dict[str, Any], path: str = "/v1/score") -> Any:
    return client.post(path, json={"posts": [post]}, headers=auth(key))


def _queued(rt: Runtime, key: str, client: TestClient, post: dict[str, Any]) -> str:
    """Score `post` on the platform's path and open its case (what the route task does)."""
    assert _send(client, key, post).status_code == 200
    with transaction(rt.sessions) as session:
        case = open_case_for_post(session, post["id"], RoutingPolicy())
        assert case is not None
        return case.id


def _writes(rt: Runtime) -> tuple[int, int, int]:
    with rt.sessions() as s:
        return (
            s.scalar(select(func.count()).select_from(Score)) or 0,
            s.scalar(select(func.count()).select_from(AuditEvent)) or 0,
            s.scalar(select(func.count()).select_from(ReviewCase)) or 0,
        )


def _post(rt: Runtime, post_id: str) -> Post:
    with rt.sessions() as s:
        return s.get_one(Post, post_id)


def _refused(resp: Any, code: str, post_id: str) -> None:
    assert resp.status_code == 409, resp.text
    error = resp.json()["error"]
    assert error["code"] == code and post_id in error["message"], error


def test_a_drill_cannot_read_or_write_a_real_post(any_rt: Runtime, api: TestClient) -> None:
    platform, drill = new_api_key(any_rt), new_api_key(any_rt, ("drill",))
    real = {"id": "rs1", "text": URGENT, "views": 10}
    _queued(any_rt, platform, api, real)
    before = _writes(any_rt)
    for sent in ({"id": "rs1", "text": HARMLESS, "views": 1}, real):  # new text, or a re-send
        resp = _send(api, drill, sent, "/v1/drills/score")
        _refused(resp, "drill_mismatch", "rs1")
        assert "results" not in resp.json(), "the real post's result is not shown to a drill"
    stored = _post(any_rt, "rs1")
    assert (stored.text, stored.views, stored.is_drill) == (URGENT, 10, False)
    assert _writes(any_rt) == before


def test_the_platform_cannot_read_or_write_a_drill_post(any_rt: Runtime, api: TestClient) -> None:
    platform, drill = new_api_key(any_rt), new_api_key(any_rt, ("drill",))
    drilled = {"id": "plat-777", "text": HARMLESS}
    assert _send(api, drill, drilled, "/v1/drills/score").status_code == 200
    before = _writes(any_rt)
    for sent in ({"id": "plat-777", "text": URGENT}, drilled):
        _refused(_send(api, platform, sent), "drill_mismatch", "plat-777")
    stored = _post(any_rt, "plat-777")
    assert (stored.text, stored.is_drill) == (HARMLESS, True)
    assert _writes(any_rt) == before
