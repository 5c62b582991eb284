"""Every refusal the issue names answers 4xx with its own machine-readable code."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from runtime.container import Runtime
from tests.conftest import auth, new_api_key, new_user_token

ONE = {"posts": [{"id": "r1", "text": "hello world"}]}


def _code(resp: object) -> tuple[int, str]:
    r = resp  # httpx.Response
    return r.status_code, r.json()["error"]["code"]  # type: ignore[attr-defined]


def test_missing_unknown_and_revoked_keys_are_401_with_distinct_codes(
    rt: Runtime, client: TestClient
) -> None:
    assert _code(client.post("/v1/score", json=ONE)) == (401, "missing_credentials")
    bad = client.post("/v1/score", json=ONE, headers=auth("vk_not-a-real-key"))
    assert _code(bad) == (401, "invalid_api_key")
    assert bad.headers["www-authenticate"] == "Bearer"
    key = new_api_key(rt)
    admin = new_user_token(rt, "admin")
    keys = client.get("/v1/admin/apikeys", headers=auth(admin)).json()
    revoked = client.delete(f"/v1/admin/apikeys/{keys[0]['id']}", headers=auth(admin))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert _code(client.post("/v1/score", json=ONE, headers=auth(key))) == (401, "revoked_api_key")


def test_wrong_scope_and_people_are_403(rt: Runtime, client: TestClient) -> None:
    read_only = new_api_key(rt, ("read",))
    score_only = new_api_key(rt, ("score",))
    assert _code(client.post("/v1/score", json=ONE, headers=auth(read_only))) == (
        403,
        "insufficient_scope",
    )
    assert _code(client.get("/v1/posts/x", headers=auth(score_only))) == (403, "insufficient_scope")
    reviewer = new_user_token(rt, "reviewer")
    assert _code(client.post("/v1/score", json=ONE, headers=auth(reviewer)))[0] == 403


def _post(i: int, text: str = "some text") -> dict[str, str]:
    return {"id": f"p{i}", "text": text}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"posts": []}, "empty_batch"),
        ({"posts": [_post(i) for i in range(257)]}, "batch_too_large"),
        ({"posts": [_post(1, "x" * 20_001)]}, "text_too_long"),
        ({"posts": [_post(1), _post(1)]}, "duplicate_ids"),
        ({"posts": [_post(1, "   ")]}, "empty_text"),
        ({"posts": [{"id": "has space", "text": "t"}]}, "bad_post_id"),
        ({"posts": [_post(1)], "extra": 1}, "unknown_field"),
    ],
)
def test_bad_batches_are_422_with_a_code(
    client: TestClient, platform_key: str, body: dict[str, object], code: str
) -> None:
    resp = client.post("/v1/score", json=body, headers=auth(platform_key))
    assert _code(resp) == (422, code)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b'{"posts": [', "malformed_json"),
        ('{"posts":[{"id":"e","text":"caf\xe9"}]}'.encode("latin-1"), "bad_encoding"),
    ],
)
def test_undecodable_bodies_are_400(
    client: TestClient, platform_key: str, raw: bytes, code: str
) -> None:
    headers = {**auth(platform_key), "content-type": "application/json"}
    assert _code(client.post("/v1/score", content=raw, headers=headers)) == (400, code)


def test_unknown_post_is_404(client: TestClient, platform_key: str) -> None:
    assert _code(client.get("/v1/posts/nope", headers=auth(platform_key))) == (404, "not_found")
