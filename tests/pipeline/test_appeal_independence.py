"""An appeal is decided by someone other than whoever decided the post before."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.db import transaction
from core.dispatch import InProcessDispatcher
from pipeline.models import CaseStatus, ReviewCase
from runtime.container import Runtime
from tests.conftest import auth, new_api_key, new_user_token
from tests.pipeline.factories import make_case

REMOVE = {"reason_code": "false_claim", "action": "remove", "note": "debunked"}
KEEP = {"reason_code": "not_misinformation", "action": "no_action"}


def _claim(client: TestClient, token: str) -> str | None:
    body = client.post("/v1/cases/claim", headers=auth(token)).json()
    return None if body["case"] is None else str(body["case"]["id"])


def _decide(client: TestClient, token: str, case_id: str, body: dict[str, str]) -> int:
    return client.post(f"/v1/cases/{case_id}/decision", json=body, headers=auth(token)).status_code


def _appealed_by_the_deciding_senior(rt: Runtime, client: TestClient) -> tuple[str, str]:
    """Senior "sam" removes a post; its author appeals. Returns (sam's token, the appeal's id)."""
    cid = make_case(rt.sessions, post_id="own-1")
    senior = new_user_token(rt, "senior_reviewer", username="sam")
    assert _claim(client, senior) == cid
    assert _decide(client, senior, cid, REMOVE) == 200
    made = client.post(
        "/v1/posts/own-1/appeal",
        json={"reason": "it is satire"},
        headers=auth(new_api_key(rt, ("score",))),
    )
    assert made.status_code == 200, made.text
    return senior, str(made.json()["case_id"])


def test_a_senior_is_not_offered_the_appeal_of_their_own_decision(
    rt: Runtime, pipeline: InProcessDispatcher, client: TestClient
) -> None:
    senior, appeal_id = _appealed_by_the_deciding_senior(rt, client)
    assert _claim(client, senior) is None
    other = new_user_token(rt, "senior_reviewer")
    assert _claim(client, other) == appeal_id
    assert _decide(client, other, appeal_id, KEEP) == 200


def test_a_senior_cannot_decide_or_be_given_the_appeal_of_their_own_decision(
    rt: Runtime, pipeline: InProcessDispatcher, client: TestClient
) -> None:
    senior, appeal_id = _appealed_by_the_deciding_senior(rt, client)
    admin = new_user_token(rt, "admin")
    given = client.post(
        f"/v1/cases/{appeal_id}/reassign", json={"to_username": "sam"}, headers=auth(admin)
    )
    assert given.status_code == 403
    assert given.json()["error"]["code"] == "own_decision_appealed"
    with transaction(rt.sessions) as session:  # held anyway (a lease from before this rule)
        held = session.get(ReviewCase, appeal_id)
        assert held is not None
        held.status, held.claimed_by = CaseStatus.CLAIMED, "sam"
        held.lease_expires_at = held.due_at
    refused = client.post(f"/v1/cases/{appeal_id}/decision", json=KEEP, headers=auth(senior))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "own_decision_appealed"
    assert "another senior reviewer" in refused.json()["error"]["message"]
