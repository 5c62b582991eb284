"""Reviewer and admin routes end to end on the embedded runtime and the local platform receiver."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from audit.models import AuditEvent
from claims.models import Claim, Origin
from claims.service import retire_claim
from core.db import transaction
from core.dispatch import InProcessDispatcher
from pipeline.labels import export_labels
from pipeline.models import ActionStatus, Decision, EnforcementAction, Post, ReviewCase
from pipeline.platform_receiver import ReceiverState
from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import ADMIN, auth, new_api_key, new_user_token, wait_for
from tests.pipeline.factories import make_case

REMOVE = {"reason_code": "false_claim", "action": "remove", "note": "debunked", "claim_id": "c-1"}
KEEP = {"reason_code": "not_misinformation", "action": "no_action"}
HELD_POST = "BREAKING: 5G towers spread the virus, the miracle cure is garlic. Share before they delete it!!"


def add_library_claim(rt: Runtime, claim_id: str = "c-1") -> str:
    with transaction(rt.sessions) as session:
        session.add(
            Claim(id=claim_id, text="5G spreads the virus", verdict="false", origin=Origin.REVIEWER)
        )
    return claim_id


@pytest.fixture(autouse=True)
def library_claim(rt: Runtime) -> str:
    """The claim REMOVE cites, in the library as any cited claim must be."""
    return add_library_claim(rt)


def claim(client: TestClient, token: str, path: str = "/v1/cases/claim") -> str:
    body = client.post(path, headers=auth(token)).json()
    assert body["case"] is not None, body
    return str(body["case"]["id"])


def decide(
    client: TestClient, token: str, case_id: str, body: Mapping[str, object]
) -> dict[str, Any]:
    resp = client.post(f"/v1/cases/{case_id}/decision", json=body, headers=auth(token))
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def actions(rt: Runtime) -> list[EnforcementAction]:
    with rt.sessions() as s:
        return list(s.scalars(select(EnforcementAction).order_by(EnforcementAction.created_at)))


def test_high_reach_removal_needs_a_second_reviewer_who_agrees(
    rt: Runtime,
    pipeline: InProcessDispatcher,
    client: TestClient,
    receiver: tuple[ReceiverState, str],
) -> None:
    cid = make_case(rt.sessions, views=500_000)
    first, second = new_user_token(rt, "reviewer"), new_user_token(rt, "reviewer")
    assert claim(client, first) == cid
    assert decide(client, first, cid, REMOVE)["case_status"] == "awaiting_second"
    assert actions(rt) == []
    assert client.post("/v1/cases/claim", headers=auth(first)).json()["case"] is None
    assert claim(client, second) == cid
    assert decide(client, second, cid, REMOVE)["case_status"] == "decided"
    pipeline.drain()
    wait_for(lambda: len(receiver[0].actions_applied()) == 1)
    assert [a.status for a in actions(rt)] == [ActionStatus.CONFIRMED]


def test_a_disagreeing_second_reviewer_escalates_to_a_senior(
    rt: Runtime, pipeline: InProcessDispatcher, client: TestClient
) -> None:
    cid = make_case(rt.sessions, views=500_000)
    first, second = new_user_token(rt, "reviewer"), new_user_token(rt, "reviewer")
    senior = new_user_token(rt, "senior_reviewer")
    claim(client, first)
    decide(client, first, cid, REMOVE)
    claim(client, second)
    label = {"reason_code": "misleading_context", "action": "label", "note": "context"}
    assert decide(client, second, cid, label)["case_status"] == "escalated"
    assert client.post("/v1/cases/claim", headers=auth(first)).json()["case"] is None
    assert claim(client, senior) == cid
    assert decide(client, senior, cid, label)["case_status"] == "decided"
    pipeline.drain()
    assert [a.action for a in actions(rt)] == ["label"]


def test_appeal_upheld_restores_the_post_on_the_platform(
    rt: Runtime,
    pipeline: InProcessDispatcher,
    client: TestClient,
    receiver: tuple[ReceiverState, str],
) -> None:
    cid = make_case(rt.sessions, post_id="ap-1")
    reviewer, senior = new_user_token(rt, "reviewer"), new_user_token(rt, "senior_reviewer")
    claim(client, reviewer)
    decide(client, reviewer, cid, REMOVE)
    pipeline.drain()
    wait_for(lambda: len(receiver[0].actions_applied()) == 1)
    key = new_api_key(rt, ("score",))
    reader = new_api_key(rt, ("read",))
    appeal = {"reason": "it is satire"}
    assert (
        client.post("/v1/posts/ap-1/appeal", json=appeal, headers=auth(reader)).status_code == 403
    )
    assert (
        client.post("/v1/posts/ap-1/appeal", json={"reason": ""}, headers=auth(key)).status_code
        == 422
    )
    made = client.post("/v1/posts/ap-1/appeal", json=appeal, headers=auth(key))
    assert made.status_code == 200 and made.json()["required_role"] == "senior_reviewer"
    again = client.post("/v1/posts/ap-1/appeal", json=appeal, headers=auth(key))
    assert again.status_code == 409
    assert client.post("/v1/cases/claim", headers=auth(reviewer)).json()["case"] is None
    appeal_case = claim(client, senior)
    decide(client, senior, appeal_case, KEEP)
    pipeline.drain()
    wait_for(lambda: len(receiver[0].actions_applied()) == 2)
    undo = receiver[0].actions_applied()[1]
    assert undo["action"] == "undo" and undo["params"]["undoes"] == "remove"
    with rt.sessions() as s:
        post = s.get(Post, "ap-1")
        assert post is not None and post.status == "restored"
        logged = set(s.scalars(select(AuditEvent.action).where(AuditEvent.post_id == "ap-1")))
    assert {"post.appealed", "enforcement.confirmed"} <= logged


def test_bulk_restore_undoes_every_post_removed_for_a_claim(
    rt: Runtime,
    pipeline: InProcessDispatcher,
    client: TestClient,
    receiver: tuple[ReceiverState, str],
) -> None:
    reviewer, admin = new_user_token(rt, "reviewer"), new_user_token(rt, "admin")
    for _ in range(3):
        cid = make_case(rt.sessions)
        claim(client, reviewer)
        decide(client, reviewer, cid, REMOVE)
    pipeline.drain()
    wait_for(lambda: len(receiver[0].actions_applied()) == 3)
    body = {"reason": "claim c-1 re-rated as true", "claim_id": "c-1"}
    senior = new_user_token(rt, "senior_reviewer")
    assert client.post("/v1/admin/restorations", json=body, headers=auth(senior)).status_code == 403
    done = client.post("/v1/admin/restorations", json=body, headers=auth(admin)).json()
    assert len(done["restored"]) == 3
    again = client.post("/v1/admin/restorations", json=body, headers=auth(admin)).json()
    assert again["restored"] == [] and len(again["unchanged"]) == 3
    pipeline.drain()
    wait_for(lambda: len(receiver[0].actions_applied()) == 6)
    empty = client.post("/v1/admin/restorations", json={"reason": "x"}, headers=auth(admin))
    assert empty.status_code == 422


def test_a_failing_platform_dead_letters_then_an_admin_retries(
    rt: Runtime,
    pipeline: InProcessDispatcher,
    client: TestClient,
    receiver: tuple[ReceiverState, str],
) -> None:
    state = receiver[0]
    state.fail_next = [500, 503, 500]  # max_attempts is 3 in tests
    cid = make_case(rt.sessions)
    reviewer, admin = new_user_token(rt, "reviewer"), new_user_token(rt, "admin")
    claim(client, reviewer)
    decide(client, reviewer, cid, REMOVE)
    wait_for(lambda: [a.status for a in actions(rt)] == ["dead"], timeout=15)
    dead = client.get("/v1/admin/enforcement/dead", headers=auth(admin)).json()["actions"]
    assert len(dead) == 1 and "500" in dead[0]["last_error"] and dead[0]["attempts"] == 3
    assert client.get("/v1/admin/enforcement/dead", headers=auth(reviewer)).status_code == 403
    retry = f"/v1/admin/enforcement/{dead[0]['id']}/retry"
    assert client.post(retry, headers=auth(reviewer)).status_code == 403
    assert client.post(retry, headers=auth(admin)).status_code == 200
    pipeline.drain()
    wait_for(lambda: [a.status for a in actions(rt)] == ["confirmed"])
    assert client.post(retry, headers=auth(admin)).status_code == 409
    assert len(state.actions_applied()) == 1


def test_admin_changes_the_routing_policy_and_it_is_logged(
    rt: Runtime, pipeline: InProcessDispatcher, client: TestClient, platform_key: str
) -> None:
    admin = new_user_token(rt, "admin")
    current = client.get("/v1/admin/policy", headers=auth(admin)).json()
    assert current["version"] == rt.policy.version and current["history"] == []
    stricter = current["policy"] | {
        "band_routes": {"ignore": "ignore", "review": "ignore", "urgent": "urgent"}
    }
    for role in ("reviewer", "senior_reviewer", "pr", "legal"):
        token = new_user_token(rt, role)
        assert (
            client.put(
                "/v1/admin/policy", json={"policy": stricter}, headers=auth(token)
            ).status_code
            == 403
        )
    bad = client.put(
        "/v1/admin/policy", json={"policy": stricter | {"reach_weight": -1}}, headers=auth(admin)
    )
    assert bad.status_code == 422
    client.post(
        "/v1/score",
        json={
            "posts": [
                {"id": "pv-1", "text": "Doctors say drink bleach to cure the virus, share now"}
            ]
        },
        headers=auth(platform_key),
    )
    pipeline.drain()
    preview = client.post(
        "/v1/admin/policy/preview", json={"policy": stricter, "since_hours": 1}, headers=auth(admin)
    ).json()["counts"]
    assert preview["posts"] == 1
    saved = client.put(
        "/v1/admin/policy", json={"policy": stricter, "note": "fewer"}, headers=auth(admin)
    )
    assert saved.status_code == 200 and saved.json()["version"] == "v1"
    with rt.sessions() as s:
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "config.policy_changed")
        ).one()
    chg: Any = event.document["veracity"]
    assert chg["before"]["version"] == rt.policy.version and chg["after"]["version"] == "v1"
    assert chg["after"]["policy"]["band_routes"]["review"] == "ignore"


@pytest.mark.parametrize("role", ["pr", "admin"])
def test_other_roles_cannot_skip_or_escalate(rt: Runtime, client: TestClient, role: str) -> None:
    cid = make_case(rt.sessions)
    token = new_user_token(rt, role)
    assert client.post(f"/v1/cases/{cid}/skip", headers=auth(token)).status_code == 403
    esc = {"to": "legal", "reason": "x"}
    assert (
        client.post(f"/v1/cases/{cid}/escalate", json=esc, headers=auth(token)).status_code == 403
    )


@pytest.mark.parametrize("role", ["reviewer", "pr", "legal"])
def test_only_seniors_and_admins_reassign(rt: Runtime, client: TestClient, role: str) -> None:
    cid = make_case(rt.sessions)
    body = {"to_username": "nobody"}
    resp = client.post(
        f"/v1/cases/{cid}/reassign", json=body, headers=auth(new_user_token(rt, role))
    )
    assert resp.status_code == 403
    senior = new_user_token(rt, "senior_reviewer")
    resp = client.post(f"/v1/cases/{cid}/reassign", json=body, headers=auth(senior))
    assert resp.status_code == 404


def test_export_labels_writes_human_and_machine_rows_in_one_shape(
    rt: Runtime, pipeline: InProcessDispatcher, client: TestClient, tmp_path: Path
) -> None:
    reviewer = new_user_token(rt, "reviewer")
    cid = make_case(rt.sessions)
    claim(client, reviewer)
    decide(client, reviewer, cid, REMOVE)
    out = tmp_path / "labels.jsonl"
    with rt.sessions() as s:
        assert export_labels(s, out, source="all") == 2
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["source"] for r in rows} == {"human", "machine"}
    assert len({tuple(sorted(r)) for r in rows}) == 1
    human = next(r for r in rows if r["source"] == "human")
    assert human["label"] == 1 and human["verdict"] == "false_claim" and human["claim_id"] == "c-1"


def test_a_claimed_case_shows_the_authors_name_and_id(rt: Runtime, client: TestClient) -> None:
    cid = make_case(rt.sessions)
    with rt.sessions() as s, s.begin():
        post = s.scalars(select(Post)).one()
        post.author_name, post.author_id = "Jo Ng", "u-42"
    body = client.post("/v1/cases/claim", headers=auth(new_user_token(rt, "reviewer"))).json()
    assert body["case"]["id"] == cid
    assert (body["case"]["post"]["author_name"], body["case"]["post"]["author_id"]) == (
        "Jo Ng",
        "u-42",
    )


def test_restoring_a_post_whose_removal_is_still_being_sent_undoes_it_after_it_lands(
    rt: Runtime, client: TestClient, receiver: tuple[ReceiverState, str]
) -> None:
    from pipeline.tasks import enforce

    cid = make_case(rt.sessions, post_id="fl-1")  # no pipeline: actions run only when told
    reviewer, supervisor = new_user_token(rt, "reviewer"), new_user_token(rt, "senior_reviewer")
    claim(client, reviewer)
    decide(client, reviewer, cid, REMOVE)
    (removal,) = actions(rt)
    assert removal.status == ActionStatus.PENDING
    restored = client.post(
        "/v1/admin/posts/fl-1/restore", json={"reason": "wrong post"}, headers=auth(supervisor)
    )
    assert restored.status_code == 200, restored.text
    (undo,) = restored.json()["undo_actions"]
    waiting = enforce(rt, undo["id"])  # sent first by a racing worker: it waits
    assert waiting.status == "retry" and removal.id in waiting.detail
    assert receiver[0].actions_applied() == []
    assert enforce(rt, removal.id).status == "confirmed"
    assert enforce(rt, undo["id"]).status == "confirmed"
    applied = receiver[0].actions_applied()
    assert [a["action"] for a in applied] == ["remove", "undo"]
    assert applied[1]["params"]["undoes_action_id"] == removal.id
    with rt.sessions() as s:
        post = s.get(Post, "fl-1")
        assert post is not None and post.status == "restored"
        undo_row = s.get(EnforcementAction, undo["id"])
        assert undo_row is not None and undo_row.attempts == 1  # the wait was no attempt


def test_a_decision_on_a_case_not_held_is_refused(
    rt: Runtime, pipeline: InProcessDispatcher, client: TestClient, platform_key: str
) -> None:
    client.post(
        "/v1/score", json={"posts": [{"id": "y1", "text": HELD_POST}]}, headers=auth(platform_key)
    )
    pipeline.drain()
    alice, bob = new_user_token(rt, "reviewer"), new_user_token(rt, "reviewer")
    case = client.post("/v1/cases/claim", headers=auth(alice)).json()["case"]
    assert client.post("/v1/cases/claim", headers=auth(bob)).json()["case"] is None
    resp = client.post(
        f"/v1/cases/{case['id']}/decision",
        json={"reason_code": "false_claim", "action": "remove"},
        headers=auth(bob),
    )
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "lease_not_held"
    bad = client.post(
        f"/v1/cases/{case['id']}/decision",
        json={"reason_code": "other", "action": "remove"},
        headers=auth(alice),
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "note_required"


def test_a_decision_citing_a_claim_not_in_the_library_is_422_and_stores_nothing(
    any_rt: Runtime,
) -> None:
    cid = make_case(any_rt.sessions)
    token = new_user_token(any_rt, "reviewer")
    with TestClient(create_app(any_rt)) as client:
        assert claim(client, token) == cid
        body = {"reason_code": "false_claim", "action": "remove", "claim_id": "doesnotexist"}
        resp = client.post(f"/v1/cases/{cid}/decision", json=body, headers=auth(token))
        assert resp.status_code == 422, resp.text
        error = resp.json()["error"]
        assert error["code"] == "unknown_claim" and "doesnotexist" in error["message"]
        with any_rt.sessions() as s:
            assert s.scalars(select(Decision).where(Decision.case_id == cid)).all() == []
            case = s.get(ReviewCase, cid)
            assert case is not None and case.status == "claimed"  # still theirs to decide


def test_a_retired_claim_may_be_cited(any_rt: Runtime) -> None:
    """Retiring a claim stops matching it; what was said about posts that repeat it stands."""
    retired = add_library_claim(any_rt, "retired-1")
    with transaction(any_rt.sessions) as session:
        retire_claim(session, retired, "superseded by a newer claim", ADMIN)
    cid = make_case(any_rt.sessions)
    token = new_user_token(any_rt, "reviewer")
    with TestClient(create_app(any_rt)) as client:
        assert claim(client, token) == cid
        body = {"reason_code": "false_claim", "action": "no_action", "claim_id": retired}
        decide(client, token, cid, body)
    with any_rt.sessions() as s:
        [made] = s.scalars(select(Decision).where(Decision.case_id == cid)).all()
        assert made.claim_id == retired
