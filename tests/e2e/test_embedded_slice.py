"""The whole slice on the embedded default: score → case → claim → decide → platform → log."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from audit.chain import GENESIS, event_hash, strip_hash
from audit.models import AuditEvent
from core.dispatch import InProcessDispatcher
from pipeline.models import ActionStatus, EnforcementAction, Post, ReviewCase
from pipeline.platform_receiver import ReceiverState
from runtime.container import Runtime
from tests.conftest import REMOVAL_TRAIL, auth, claim_and_decide, wait_for

FALSE_POST = "BREAKING: 5G towers spread the virus, the miracle cure is garlic. Share before they delete it!!"


def test_a_false_post_is_queued_decided_removed_and_logged(
    rt: Runtime,
    pipeline: InProcessDispatcher,
    client: TestClient,
    platform_key: str,
    receiver: tuple[ReceiverState, str],
) -> None:
    state, _ = receiver
    scored = client.post(
        "/v1/score",
        json={"posts": [{"id": "x1", "text": FALSE_POST, "views": 50}]},
        headers=auth(platform_key),
    )
    assert scored.json()["results"][0]["case_opened"] is True
    pipeline.drain()
    with rt.sessions() as s:
        case = s.scalars(select(ReviewCase).where(ReviewCase.post_id == "x1")).one()
        assert case.status == "open" and case.policy_version == rt.policy.version

    decision = {"reason_code": "false_claim", "action": "remove", "note": "5G hoax, debunked"}
    claimed = claim_and_decide(rt, client, decision)
    assert claimed["id"] == case.id and claimed["post"]["text"] == FALSE_POST
    pipeline.drain()
    wait_for(lambda: len(state.actions_applied()) == 1)

    applied = state.actions_applied()[0]
    assert applied["post_id"] == "x1" and applied["action"] == "remove"
    with rt.sessions() as s:
        action = s.scalars(select(EnforcementAction)).one()
        assert action.status == ActionStatus.CONFIRMED
        assert applied["idempotency_key"] == action.idempotency_key
        post = s.get(Post, "x1")
        assert post is not None and post.status == "removed"
        events = list(
            s.scalars(select(AuditEvent).where(AuditEvent.post_id == "x1").order_by(AuditEvent.seq))
        )
    assert [e.action for e in events] == list(REMOVAL_TRAIL)
    decided_event: dict[str, Any] = events[4].document
    assert decided_event["user"]["roles"] == ["reviewer"]
    assert decided_event["veracity"]["reason"].startswith("false_claim")


def test_log_events_form_an_unbroken_hash_chain(
    rt: Runtime, pipeline: InProcessDispatcher, client: TestClient, platform_key: str
) -> None:
    posts = [{"id": f"c{i}", "text": FALSE_POST + f" #{i}"} for i in range(5)]
    client.post("/v1/score", json={"posts": posts}, headers=auth(platform_key))
    pipeline.drain()
    with rt.sessions() as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    prev = GENESIS
    for n, event in enumerate(events, start=1):
        body, recorded = strip_hash(event.document)
        assert event.seq == n
        assert body["veracity"]["chain"]["prev_hash"] == prev
        assert event_hash(body, prev) == recorded == event.hash
        prev = recorded
