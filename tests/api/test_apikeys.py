"""Admins create and revoke API keys over HTTP; the secret is shown once; others are refused."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accounts.models import ApiKey
from runtime.container import Runtime
from tests.conftest import auth, new_user_token


def test_admin_creates_a_key_that_works_and_revokes_it(rt: Runtime, client: TestClient) -> None:
    admin = auth(new_user_token(rt, "admin"))
    made = client.post(
        "/v1/admin/apikeys",
        json={"name": "feed", "scopes": ["score", "read"], "rate_limit_per_minute": 100},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    secret = made.json()["key"]
    with rt.sessions() as s:
        stored = s.scalars(select(ApiKey).where(ApiKey.name == "feed")).one()
        assert stored.key_hash != secret and secret not in stored.key_hash  # stored hashed
    body = {"posts": [{"id": "k1", "text": "hello"}]}
    assert client.post("/v1/score", json=body, headers=auth(secret)).status_code == 200
    listed = client.get("/v1/admin/apikeys", headers=admin).json()
    assert "key" not in listed[0] and listed[0]["prefix"] == secret[:10]
    assert client.delete(f"/v1/admin/apikeys/{stored.id}", headers=admin).status_code == 200
    assert client.post("/v1/score", json=body, headers=auth(secret)).status_code == 401


def test_unknown_scope_and_unknown_key_are_refused(rt: Runtime, client: TestClient) -> None:
    admin = auth(new_user_token(rt, "admin"))
    bad = client.post("/v1/admin/apikeys", json={"name": "x", "scopes": ["root"]}, headers=admin)
    assert bad.status_code == 422
    assert client.delete("/v1/admin/apikeys/missing", headers=admin).status_code == 404


@pytest.mark.parametrize("role", ["reviewer", "senior_reviewer", "pr", "legal"])
def test_other_roles_cannot_manage_keys(rt: Runtime, client: TestClient, role: str) -> None:
    token = auth(new_user_token(rt, role))
    assert client.get("/v1/admin/apikeys", headers=token).status_code == 403
    made = client.post("/v1/admin/apikeys", json={"name": "x", "scopes": ["read"]}, headers=token)
    assert made.status_code == 403 and made.json()["error"]["code"] == "wrong_role"


def test_platform_keys_cannot_manage_keys(client: TestClient, platform_key: str) -> None:
    assert client.get("/v1/admin/apikeys", headers=auth(platform_key)).status_code == 403


def test_a_prefix_two_keys_share_revokes_neither_and_names_both(
    rt: Runtime, client: TestClient
) -> None:
    admin = auth(new_user_token(rt, "admin"))
    secrets = []
    for name in ("twin-a", "twin-b"):
        made = client.post(
            "/v1/admin/apikeys", json={"name": name, "scopes": ["score"]}, headers=admin
        )
        secrets.append(made.json()["key"])
    with rt.sessions.begin() as s:  # a 7-character random prefix: rare, but it happens
        twins = list(s.scalars(select(ApiKey).where(ApiKey.name.in_(["twin-a", "twin-b"]))))
        for key in twins:
            key.prefix = "vk_shared0"
        ids = sorted(k.id for k in twins)
    refused = client.delete("/v1/admin/apikeys/vk_shared0", headers=admin)
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "ambiguous_prefix"
    assert all(key_id in error["message"] for key_id in ids)
    body = {"posts": [{"id": "t1", "text": "hello"}]}
    for secret in secrets:  # both still work
        assert client.post("/v1/score", json=body, headers=auth(secret)).status_code == 200
    assert client.delete(f"/v1/admin/apikeys/{ids[0]}", headers=admin).status_code == 200
