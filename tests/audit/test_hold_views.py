"""The legal-hold endpoints' bodies, field for field: times as `isoformat()` writes them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from audit.models import LegalHold
from runtime.container import Runtime
from tests.conftest import auth, new_user_token
from tests.pipeline.factories import make_case


def _stored(rt: Runtime, hold_id: str) -> dict[str, Any]:
    with rt.sessions() as session:
        hold = session.get(LegalHold, hold_id)
        assert hold is not None
        return {
            "id": hold.id,
            "subject_type": hold.subject_type,
            "subject_id": hold.subject_id,
            "reason": hold.reason,
            "set_by": hold.set_by,
            "set_at": hold.set_at.isoformat(),
            "released_at": hold.released_at.isoformat() if hold.released_at else None,
        }


def test_a_hold_is_shown_as_stored_when_set_listed_and_released(
    rt: Runtime, client: TestClient
) -> None:
    headers = auth(new_user_token(rt, "legal"))
    hold = {"subject_type": "case", "subject_id": make_case(rt.sessions), "reason": "court order"}
    made = client.post("/v1/audit/holds", json=hold, headers=headers).json()
    stored = _stored(rt, made["id"])
    assert stored["set_at"].endswith("+00:00") and stored["released_at"] is None
    assert made == stored
    assert list(made) == list(stored)  # the same keys, in the same order
    assert client.get("/v1/audit/holds", headers=headers).json() == {"holds": [stored]}
    released = client.post(
        f"/v1/audit/holds/{made['id']}/release", json={"reason": "order lifted"}, headers=headers
    ).json()
    stored = _stored(rt, made["id"])
    assert stored["released_at"] is not None
    assert released == stored
