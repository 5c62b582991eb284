"""Re-sending a post id: a drill and the platform never read or write each other's posts, a
post reviewers decided on or hold keeps its text, and new reach for unchanged text is stored
and re-ranks the post's waiting case. On the embedded SQLite database and on PostgreSQL.
A refused edit is refused before the model runs: it costs no inference."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from audit.events import Action
from audit.models import AuditEvent
from classifier.reference import ReferenceClassifier
from core.db import transaction
from pipeline.decisions import decide
from pipeline.models import CaseStatus, Post, ReviewCase, Score
from pipeline.queue import claim_next, open_case_for_post
from pipeline.routing import RoutingPolicy
from pipeline.schemas import DecisionIn
from runtime.container import Runtime, build_runtime
from runtime.web import create_app
from tests.api.test_batcher import RecordingClassifier
from tests.conftest import BACKENDS, auth, make_settings, new_api_key
from tests.core.backends import database_url
from tests.pipeline.factories import reviewer

URGENT = "Miracle cure: drinking bleach cures COVID-19, share before they delete it!!"
HARMLESS = "The weather is lovely today"


@pytest.fixture
def model() -> RecordingClassifier:
    """The reference scorer, counting the batches it scores."""
    return RecordingClassifier()


@pytest.fixture(params=BACKENDS)
def any_rt(
    request: pytest.FixtureRequest, tmp_path: Path, model: RecordingClassifier
) -> Iterator[Runtime]:
    rt = build_runtime(make_settings(database_url(request, tmp_path)), classifier=model)
    yield rt
    rt.engine.dispose()


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


def test_a_decided_post_keeps_its_text_and_its_edit_is_not_scored(
    any_rt: Runtime, api: TestClient, model: RecordingClassifier
) -> None:
    platform = new_api_key(any_rt)
    post = {"id": "tz1", "text": URGENT}
    case_id = _queued(any_rt, platform, api, post)
    who = reviewer("rev-1")
    with transaction(any_rt.sessions) as session:
        assert claim_next(session, who) is not None
        verdict = DecisionIn(reason_code="not_misinformation", action="no_action")
        decide(session, case_id, who, verdict, policy=RoutingPolicy())
    before, scored = _writes(any_rt), len(model.batches)
    resp = _send(api, platform, {"id": "tz1", "text": "Just a photo of my cat"})
    _refused(resp, "post_decided", "tz1")
    assert resp.json()["error"]["message"] == (
        "posts decided on their earlier text: tz1; send the edited text under a new post id"
    )
    assert len(model.batches) == scored, "the refused edit was not scored"
    assert _post(any_rt, "tz1").text == URGENT
    assert _writes(any_rt) == before
    assert _send(api, platform, post).json()["results"][0]["cached"] is True


def test_a_held_post_keeps_its_text_unscored_and_a_waiting_one_is_rescored(
    any_rt: Runtime, api: TestClient, model: RecordingClassifier
) -> None:
    platform = new_api_key(any_rt)
    _queued(any_rt, platform, api, {"id": "held", "text": URGENT})
    with transaction(any_rt.sessions) as session:
        assert claim_next(session, reviewer("rev-2")) is not None
    _queued(any_rt, platform, api, {"id": "waiting", "text": URGENT + " Really."})
    before, scored = _writes(any_rt), len(model.batches)
    resp = _send(api, platform, {"id": "held", "text": HARMLESS})
    _refused(resp, "post_held", "held")
    assert resp.json()["error"]["message"] == (
        "posts a reviewer is reviewing on their earlier text: held; send the edited text under "
        "a new post id"
    )
    assert len(model.batches) == scored, "the refused edit was not scored"
    assert _post(any_rt, "held").text == URGENT and _writes(any_rt) == before
    edited = _send(api, platform, {"id": "waiting", "text": HARMLESS})
    assert edited.status_code == 200 and edited.json()["results"][0]["cached"] is False
    assert _post(any_rt, "waiting").text == HARMLESS


def _case(rt: Runtime, case_id: str) -> ReviewCase:
    with rt.sessions() as s:
        return s.get_one(ReviewCase, case_id)


def _reprioritised(rt: Runtime, case_id: str) -> list[AuditEvent]:
    with rt.sessions() as s:
        return list(
            s.scalars(
                select(AuditEvent).where(
                    AuditEvent.case_id == case_id,
                    AuditEvent.action == Action.CASE_REPRIORITISED.value,
                )
            )
        )


def test_new_reach_for_the_same_text_is_stored_and_reranks_the_waiting_case(
    any_rt: Runtime, api: TestClient
) -> None:
    platform = new_api_key(any_rt)
    post = {"id": "viral", "text": "share before they delete it", "views": 10}
    case_id = _queued(any_rt, platform, api, post)
    first = _case(any_rt, case_id)
    assert first.band == "review"
    scores = _writes(any_rt)[0]
    spread = _send(api, platform, {**post, "views": 999_999, "shares": 50, "author_followers": 7})
    assert spread.json()["results"][0]["cached"] is True
    stored = _post(any_rt, "viral")
    assert (stored.views, stored.shares, stored.author_followers) == (999_999, 50, 7)
    assert _writes(any_rt)[0] == scores, "the text is not scored again"
    raised = _case(any_rt, case_id)
    assert raised.band == "urgent" and raised.priority > first.priority
    assert raised.due_at < first.due_at, "an urgent case is due sooner"
    (event,) = _reprioritised(any_rt, case_id)
    logged = event.document["veracity"]
    assert isinstance(logged, dict)
    assert logged["before"] == {"priority": first.priority, "band": "review"}
    assert logged["after"]["priority"] == raised.priority and logged["after"]["views"] == 999_999

    with transaction(any_rt.sessions) as session:
        assert claim_next(session, reviewer("rev-3")) is not None
    assert _send(api, platform, {**post, "views": 5}).json()["results"][0]["cached"] is True
    assert _post(any_rt, "viral").views == 5
    held = _case(any_rt, case_id)
    assert held.status == CaseStatus.CLAIMED and held.priority == raised.priority
    assert len(_reprioritised(any_rt, case_id)) == 1, "a held case is not re-ranked"
    assert _post(any_rt, "viral").shares == 50, "a field the request leaves out is kept"


def _waiting_on_a_lock(rt: Runtime) -> int:
    with rt.sessions() as s:
        return int(
            s.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            or 0
        )


def test_an_edit_sent_while_a_claim_is_being_made_waits_for_it_and_is_refused(
    postgres_url: str,
) -> None:
    """PostgreSQL: the held check locks the post's open case, so an edit racing a reviewer's
    claim is judged on the claim once that commits (SQLite runs one writer at a time)."""
    rt = build_runtime(make_settings(postgres_url), classifier=ReferenceClassifier())
    with TestClient(create_app(rt)) as client:
        platform = new_api_key(rt)
        _queued(rt, platform, client, {"id": "raced", "text": URGENT})
        claiming = rt.sessions()
        try:
            assert claim_next(claiming, reviewer("rev-3")) is not None
            claiming.flush()  # claimed and its row locked, not yet committed
            with ThreadPoolExecutor(1) as pool:
                edit = pool.submit(_send, client, platform, {"id": "raced", "text": HARMLESS})
                deadline = time.monotonic() + 30
                while not _waiting_on_a_lock(rt):
                    assert not edit.done(), "the edit did not wait for the claim being made"
                    assert time.monotonic() < deadline, "the edit never reached the case"
                    time.sleep(0.05)
                claiming.commit()
                resp = edit.result(timeout=30)
        finally:
            claiming.close()
    _refused(resp, "post_held", "raced")
    assert _post(rt, "raced").text == URGENT
