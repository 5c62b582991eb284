"""Who may call what: API keys with scopes for the platform, roles for people (the checks in
`core.principal`, the tokens resolved by `accounts.principals`)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accounts.models import ApiKey
from accounts.service import revoke_api_key
from core.db import transaction
from core.security import hash_api_key
from runtime.container import Runtime
from tests.conftest import ADMIN, auth, new_api_key, new_user_token

BODY = {"posts": [{"id": "k1", "text": "hello world"}]}


def _code(resp: Any) -> tuple[int, str]:
    """(status, error code) of a refusal."""
    status: int = resp.status_code
    code: str = resp.json()["error"]["code"]
    return status, code


def test_no_key_wrong_key_and_garbage_are_401(client: TestClient) -> None:
    assert _code(client.post("/v1/score", json=BODY)) == (401, "missing_credentials")
    bad = client.post("/v1/score", json=BODY, headers=auth("vk_not-a-real-key"))
    assert _code(bad) == (401, "invalid_api_key")
    assert bad.headers["www-authenticate"] == "Bearer"
    assert (
        client.post("/v1/score", json=BODY, headers={"Authorization": "Basic abc"}).status_code
        == 401
    )
    resp = client.post("/v1/score", json=BODY, headers=auth("vu_forged.token"))
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "invalid_token"


def test_revoked_key_is_refused(rt: Runtime, client: TestClient) -> None:
    key = new_api_key(rt)
    assert client.post("/v1/score", json=BODY, headers=auth(key)).status_code == 200
    with transaction(rt.sessions) as session:
        stored = session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_api_key(key))).one()
        revoke_api_key(session, stored.id, ADMIN)
    resp = client.post("/v1/score", json=BODY, headers=auth(key))
    assert _code(resp) == (401, "revoked_api_key")
    assert "revoked" in resp.json()["error"]["message"]


def test_wrong_scope_is_403(rt: Runtime, client: TestClient) -> None:
    read_only = new_api_key(rt, ("read",))
    resp = client.post("/v1/score", json=BODY, headers=auth(read_only))
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "insufficient_scope"
    score_only = new_api_key(rt, ("score",))
    assert _code(client.get("/v1/posts/k1", headers=auth(score_only))) == (
        403,
        "insufficient_scope",
    )


@pytest.mark.parametrize("role", ["reviewer", "senior_reviewer", "pr", "legal", "admin"])
def test_people_cannot_use_the_platform_endpoints(
    rt: Runtime, client: TestClient, role: str
) -> None:
    token = new_user_token(rt, role)
    assert client.post("/v1/score", json=BODY, headers=auth(token)).status_code == 403


@pytest.mark.parametrize("role", ["pr", "legal", "admin"])
def test_only_reviewers_claim_cases(rt: Runtime, client: TestClient, role: str) -> None:
    token = new_user_token(rt, role)
    assert client.post("/v1/cases/claim", headers=auth(token)).status_code == 403


def test_platform_key_cannot_claim_cases(client: TestClient, platform_key: str) -> None:
    assert client.post("/v1/cases/claim", headers=auth(platform_key)).status_code == 403
