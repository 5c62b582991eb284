"""External anchors: a chain rewritten consistently (every later hash recomputed, database and
stored documents alike) passes `verify`, but not an anchor taken before the rewrite."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from audit import anchors
from audit.chain import event_hash, strip_hash
from audit.models import AuditChain, AuditEvent
from audit.operations import log_reader, verify
from core.actors import Actor
from core.db import transaction
from runtime.container import Runtime
from tests.audit.factories import write_events
from tests.conftest import auth, new_user_token

LEGAL = Actor.system("test-legal")


def _rewrite_consistently_from(rt: Runtime, seq: int, reason: str) -> None:
    """What an insider with write access to the log could do: edit one event and re-chain
    every event after it, so each hash and prev_hash agrees again."""
    with transaction(rt.sessions) as s:
        rows = list(
            s.scalars(select(AuditEvent).where(AuditEvent.seq >= seq).order_by(AuditEvent.seq))
        )
        prev = str(rows[0].document["veracity"]["chain"]["prev_hash"])  # type: ignore[index]
        for row in rows:
            body, _ = strip_hash(row.document)
            if row.seq == seq:
                body["veracity"]["reason"] = reason
            body["veracity"]["chain"]["prev_hash"] = prev
            prev = event_hash(body, prev)
            body["veracity"]["chain"]["hash"] = prev
            row.document, row.hash = body, prev
        head = s.get(AuditChain, rows[-1].chain)
        assert head is not None
        head.head_hash = prev


def test_an_anchor_catches_a_consistent_rewrite_that_verify_alone_passes(rt: Runtime) -> None:
    write_events(rt, 10)
    anchor = anchors.issue(rt, LEGAL)
    assert anchor["seq"] >= 10 and len(anchor["signature"]) == 64
    assert anchors.check(rt, log_reader(rt), anchor).ok
    _rewrite_consistently_from(rt, 4, "nothing to see here")
    assert verify(rt, LEGAL, log_result=False).ok  # the rewrite is consistent in itself
    result = anchors.check(rt, log_reader(rt), anchor)
    assert not result.ok and "rewritten" in result.detail
    later = anchors.issue(rt, LEGAL)  # an anchor taken after the rewrite cannot see it
    assert anchors.check(rt, log_reader(rt), later).ok


def test_an_altered_or_incomplete_anchor_is_told_apart_from_a_rewritten_chain(
    rt: Runtime,
) -> None:
    write_events(rt, 5)
    anchor = anchors.issue(rt, LEGAL)
    altered = {**anchor, "seq": anchor["seq"] - 1}
    result = anchors.check(rt, log_reader(rt), altered)
    assert not result.ok and "signature" in result.detail
    assert "not an anchor" in anchors.check(rt, log_reader(rt), {"seq": 1}).detail
    with rt.sessions() as s:
        logged = s.scalars(select(AuditEvent.action).where(AuditEvent.action == "log.anchored"))
        assert len(list(logged)) == 1


def test_legal_and_admins_issue_and_check_anchors_over_the_api_and_others_are_refused(
    rt: Runtime, client: TestClient
) -> None:
    write_events(rt, 3)
    legal = auth(new_user_token(rt, "legal"))
    made = client.post("/v1/audit/anchors", headers=legal)
    assert made.status_code == 200, made.text
    anchor: dict[str, Any] = made.json()
    checked = client.post("/v1/audit/anchors/check", json=anchor, headers=legal)
    assert checked.status_code == 200 and checked.json()["ok"] is True
    bad = client.post("/v1/audit/anchors/check", json={**anchor, "hash": "x"}, headers=legal)
    assert bad.status_code == 422
    admin = auth(new_user_token(rt, "admin"))
    assert client.post("/v1/audit/anchors", headers=admin).status_code == 200
    for role in ("reviewer", "senior_reviewer", "pr"):
        other = auth(new_user_token(rt, role))
        assert client.post("/v1/audit/anchors", headers=other).status_code == 403, role
        check = client.post("/v1/audit/anchors/check", json=anchor, headers=other)
        assert check.status_code == 403, role
