"""Re-sending a post id: a drill and the platform never read or write each other's posts, and a
post reviewers decided on or hold keeps its text. On the embedded SQLite database and on
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from audit.models import AuditEvent
from core.db import transaction
from pipeline.decisions import decide
from pipeline.models import Post, ReviewCase, Score
from pipeline.queue import claim_next, open_case_for_post
from pipeline.routing import RoutingPolicy
from pipeline.schemas import DecisionIn
from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import auth, new_api_key
from tests.pipeline.factories import reviewer

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


def test_a_decided_post_keeps_its_text(any_rt: Runtime, api: TestClient) -> None:
    platform = new_api_key(any_rt)
    post = {"id": "tz1", "text": URGENT}
    case_id = _queued(any_rt, platform, api, post)
    who = reviewer("rev-1")
    with transaction(any_rt.sessions) as session:
        assert claim_next(session, who) is not None
        verdict = DecisionIn(reason_code="not_misinformation", action="no_action")
        decide(session, case_id, who, verdict, policy=RoutingPolicy())
    before = _writes(any_rt)
    resp = _send(api, platform, {"id": "tz1", "text": "Just a photo of my cat"})
    _refused(resp, "post_decided", "tz1")
    assert _post(any_rt, "tz1").text == URGENT
    assert _writes(any_rt) == before
    assert _send(api, platform, post).json()["results"][0]["cached"] is True


def test_a_held_post_keeps_its_text_and_a_waiting_one_is_rescored(
    any_rt: Runtime, api: TestClient
) -> None:
    platform = new_api_key(any_rt)
    _queued(any_rt, platform, api, {"id": "held", "text": URGENT})
    with transaction(any_rt.sessions) as session:
        assert claim_next(session, reviewer("rev-2")) is not None
    _queued(any_rt, platform, api, {"id": "waiting", "text": URGENT + " Really."})
    before = _writes(any_rt)
    resp = _send(api, platform, {"id": "held", "text": HARMLESS})
    _refused(resp, "post_held", "held")
    assert _post(any_rt, "held").text == URGENT and _writes(any_rt) == before
    edited = _send(api, platform, {"id": "waiting", "text": HARMLESS})
    assert edited.status_code == 200 and edited.json()["results"][0]["cached"] is False
    assert _post(any_rt, "waiting").text == HARMLESS
