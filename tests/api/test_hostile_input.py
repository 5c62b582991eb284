"""Hostile input is refused with 422 and a reason, never a 500: NUL characters (which
PostgreSQL cannot store), offsets and cursors past 64 bits, and non-finite policy numbers."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accounts.service import add_user
from classifier.reference import ReferenceClassifier
from core.db import transaction
from pipeline.models import Post
from pipeline.policy_store import active_policy
from review_ui.admin.policy_form import flatten
from runtime.container import Runtime, build_runtime
from runtime.web import create_app
from tests.conftest import ADMIN, PASSWORD, auth, make_settings, new_api_key, new_user_token
from tests.review_ui.conftest import csrf_of, sign_in

GOOD = "Drinking bleach cures COVID-19, share before they delete it"


@pytest.fixture
def pg(postgres_url: str) -> Iterator[tuple[Runtime, TestClient]]:
    rt = build_runtime(make_settings(postgres_url), classifier=ReferenceClassifier())
    with TestClient(create_app(rt)) as client:
        yield rt, client
    rt.engine.dispose()


def _nul_locs(resp: Any) -> list[list[Any]]:
    assert resp.status_code == 422, resp.text
    body = resp.json()["error"]
    assert body["code"] == "nul_character" and "U+0000" in body["message"]
    return [d["loc"] for d in body["details"]]


def _posts(rt: Runtime) -> int:
    with rt.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Post)) or 0)


def test_nul_in_a_post_is_refused_naming_each_post_on_postgres(
    pg: tuple[Runtime, TestClient],
) -> None:
    rt, client = pg
    key = auth(new_api_key(rt))
    posts = [
        {"id": "ok-1", "text": GOOD},
        {"id": "bad-1", "text": "bleach\u0000cures"},
        {"id": "bad-2", "text": GOOD, "author_name": "x\u0000"},
    ]
    resp = client.post("/v1/score", json={"posts": posts}, headers=key)
    assert _nul_locs(resp) == [["body", "posts", 1, "text"], ["body", "posts", 2, "author_name"]]
    assert _posts(rt) == 0, "a refused batch stores nothing"
    # Without the NUL the same batch goes through on PostgreSQL.
    posts[1]["text"], posts[2]["author_name"] = "bleach cures", "x"
    assert client.post("/v1/score", json={"posts": posts}, headers=key).status_code == 200
    assert _posts(rt) == 3


def test_nul_in_a_query_or_a_ui_form_is_refused_on_postgres(
    pg: tuple[Runtime, TestClient],
) -> None:
    rt, client = pg
    staff = auth(new_user_token(rt, "reviewer"))
    assert _nul_locs(client.get("/v1/claims?q=a%00b", headers=staff)) == [["query", "q"]]
    assert client.get("/v1/claims?q=ab", headers=staff).status_code == 200
    browser = TestClient(client.app, base_url="https://testserver")  # the UI's Secure cookies
    login = browser.get("/ui/login")
    form = {"username": "x\u0000y", "password": "p", "csrf_token": csrf_of(login.text)}
    page = browser.post("/ui/login", data=form)  # a person's form: refused as a page
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "NUL" in page.text and "username" in page.text


def test_an_escaped_backslash_u0000_is_ordinary_text(client: TestClient, platform_key: str) -> None:
    raw = json.dumps({"posts": [{"id": "lit-1", "text": "the sequence \\u0000 in a post"}]})
    assert "\\\\u0000" in raw  # the JSON holds a backslash, not U+0000
    resp = client.post(
        "/v1/score",
        content=raw,
        headers={**auth(platform_key), "content-type": "application/json"},
    )
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize("offset", [2**63, 2**64 + 5, 2**31])
def test_claims_offset_past_the_bound_is_422(rt: Runtime, client: TestClient, offset: int) -> None:
    resp = client.get(f"/v1/claims?offset={offset}", headers=auth(new_user_token(rt, "reviewer")))
    assert resp.status_code == 422
    assert resp.json()["error"]["details"][0]["loc"] == ["query", "offset"]


def test_claims_offset_at_the_bound_is_served(rt: Runtime, client: TestClient) -> None:
    resp = client.get(f"/v1/claims?offset={2**31 - 1}", headers=auth(new_user_token(rt, "legal")))
    assert resp.status_code == 200 and resp.json() == []


@pytest.mark.parametrize(
    "values", [["2026-01-01T00:00:00+00:00", 2**64], ["not a time", 1], [1.5, 1], [{}, 1]]
)
def test_a_forged_audit_cursor_is_422(rt: Runtime, client: TestClient, values: list[Any]) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(values).encode()).decode()
    resp = client.get(
        "/v1/audit/events", params={"cursor": cursor}, headers=auth(new_user_token(rt, "legal"))
    )
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "bad_cursor"


def _policy(client: TestClient, admin: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/v1/admin/policy", headers=admin).json()["policy"]
    return body


@pytest.mark.parametrize(
    ("field", "raw", "reason"),
    [
        ("reach_weight", "Infinity", "finite"),
        ("reach_weight", "NaN", "finite"),
        ("reach_weight", "1e999", "finite"),  # json reads it as inf
        ("reach_weight", "1e308", "less than or equal"),
        ("risk_weight.urgent", "Infinity", "finite"),
        ("risk_weight.urgent", "1e308", "less than or equal"),
        ("sla_hours.review", "1e308", "less than or equal"),
        ("urgent_velocity", "Infinity", "finite"),
        ("high_reach_views", "9223372036854775808", "less than or equal"),
    ],
)
def test_policy_numbers_must_be_finite_and_in_range(
    rt: Runtime, client: TestClient, field: str, raw: str, reason: str
) -> None:
    admin = auth(new_user_token(rt, "admin"))
    policy = _policy(client, admin)
    head, _, tail = field.partition(".")
    marker = "__MARKER__"
    if tail:
        policy[head][tail] = marker
    else:
        policy[head] = marker
    payload = json.dumps({"policy": policy, "note": "hostile"}).replace(f'"{marker}"', raw)
    headers = {**admin, "content-type": "application/json"}
    for path, method in (("/v1/admin/policy", "PUT"), ("/v1/admin/policy/preview", "POST")):
        body = (
            payload if method == "PUT" else payload.replace('"note": "hostile"', '"since_hours": 1')
        )
        resp = client.request(method, path, content=body, headers=headers)
        assert resp.status_code == 422, (path, resp.text)
        [detail] = resp.json()["error"]["details"]
        assert detail["loc"][-len(field.split(".")) :] == field.split(".")
        assert reason in detail["msg"]
    assert client.get("/v1/admin/policy", headers=admin).json()["history"] == []


def test_the_policy_form_refuses_infinity(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        add_user(session, "policy-admin", PASSWORD, "admin", ADMIN)
        values = flatten(active_policy(session, rt.policy).to_body())
    client = TestClient(create_app(rt), base_url="https://testserver")  # Secure cookie
    sign_in(client, "policy-admin")
    form = {k: v for k, v in values.items() if v != ""}  # unchecked boxes are not sent
    form["reach_weight"] = "inf"
    form["csrf_token"] = csrf_of(client.get("/ui/admin/policy").text)
    resp = client.post("/ui/admin/policy/preview", data=form)
    assert resp.status_code == 422 and "finite" in resp.text


def test_a_ui_form_missing_a_required_field_is_422_not_500(rt: Runtime) -> None:
    """FastAPI reads a form from the stream; the validation handler must not read it again."""
    with transaction(rt.sessions) as session:
        add_user(session, "form-admin", PASSWORD, "admin", ADMIN)
    client = TestClient(
        create_app(rt), base_url="https://testserver", raise_server_exceptions=False
    )
    sign_in(client, "form-admin")
    token = csrf_of(client.get("/ui/admin").text)
    resp = client.post("/ui/admin/keys", data={"csrf_token": token, "name": "no-scopes"})
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("text/html")  # a page, not the API's JSON
    assert "scopes: required" in resp.text


LONG_ID = "x" * 5000


@pytest.mark.parametrize(
    ("method", "path", "role", "name"),
    [
        ("POST", "/v1/cases/{}/release", "reviewer", "case_id"),
        ("POST", "/v1/cases/{}/skip", "reviewer", "case_id"),
        ("GET", "/v1/statements/{}", "pr", "statement_id"),
        ("GET", "/v1/statements/{}/versions", "pr", "statement_id"),
        ("GET", "/v1/claims/{}", "reviewer", "claim_id"),
        ("GET", "/v1/incidents/{}", "reviewer", "incident_id"),
        ("POST", "/v1/incidents/tasks/{}/start", "reviewer", "task_id"),
        ("GET", "/v1/attachments/{}", "reviewer", "attachment_id"),
        ("GET", "/v1/audit/exports/{}", "legal", "export_id"),
        ("POST", "/v1/admin/enforcement/{}/retry", "admin", "action_id"),
    ],
)
@pytest.mark.parametrize("bad", [LONG_ID, "x" * 33, "a b", "é"])
def test_an_id_in_a_path_of_the_wrong_shape_is_422_and_not_echoed(
    rt: Runtime, client: TestClient, method: str, path: str, role: str, name: str, bad: str
) -> None:
    resp = client.request(
        method, path.format(bad), headers=auth(new_user_token(rt, role)), json=None
    )
    assert resp.status_code == 422, resp.text
    [detail] = resp.json()["error"]["details"]
    assert detail["loc"] == ["path", name]
    assert LONG_ID not in resp.text


def test_a_post_id_in_a_path_is_bounded_as_a_post_id_is(rt: Runtime, client: TestClient) -> None:
    admin = auth(new_user_token(rt, "admin"))
    restore = "/v1/admin/posts/{}/restore"
    body = {"reason": "wrong call"}
    long = client.post(restore.format("p" * 129), json=body, headers=admin)
    assert long.status_code == 422 and long.json()["error"]["details"][0]["loc"] == [
        "path",
        "post_id",
    ]
    fits = client.post(restore.format("p" * 128), json=body, headers=admin)
    assert fits.status_code != 422, fits.text  # a platform's id may be that long


def test_every_id_in_a_path_has_a_bound(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    unbounded = [
        (path, p["name"])
        for path, ops in paths.items()
        for op in ops.values()
        for p in op.get("parameters", [])
        if p["in"] == "path" and "maxLength" not in p["schema"]
    ]
    assert unbounded == []
