"""Every kind of response carries the security headers, with a CSP fitting what it is."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.security_headers import API_CSP, DOCUMENT_CSP, UI_CSP
from core.dispatch import InProcessDispatcher
from runtime.container import Runtime
from tests.conftest import auth, new_user_token
from tests.incidents.conftest import open_incident
from tests.statements.helpers import false_claim

COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def _assert_headers(resp: Any, csp: str | None) -> None:  # the test client's Response
    """The common headers, and exactly one CSP: `csp`, or (None) one the route chose itself."""
    for name, value in COMMON.items():
        assert resp.headers.get(name) == value, (resp.request.url, name)
    assert "camera=()" in resp.headers["permissions-policy"]
    [given] = resp.headers.get_list("content-security-policy")
    assert given == (csp or given), resp.request.url
    assert "frame-ancestors 'none'" in given


def _runs_no_script(csp: str) -> bool:
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    return directives.get("script-src", directives["default-src"]) == ["'none'"]


def _published_statement(rt: Runtime, client: TestClient) -> str:
    claim = false_claim(rt)
    pr1, pr2 = auth(new_user_token(rt, "pr")), auth(new_user_token(rt, "pr"))
    sid = client.post(
        "/v1/statements", json={"kind": "counter_statement", "claim_id": claim.id}, headers=pr1
    ).json()["id"]
    assert (
        client.post(f"/v1/statements/{sid}/approve", json={"version": 1}, headers=pr2).status_code
        == 200
    )
    assert client.post(f"/v1/statements/{sid}/publish", headers=pr1).status_code == 200
    return str(sid)


def test_api_answers_and_refusals_get_the_locked_down_policy(
    client: TestClient, platform_key: str
) -> None:
    _assert_headers(client.get("/healthz"), API_CSP)
    _assert_headers(client.get("/openapi.json"), API_CSP)
    _assert_headers(client.post("/v1/score", json={"posts": []}), API_CSP)  # 401
    scored = client.post(
        "/v1/score", json={"posts": [{"id": "h1", "text": "hi"}]}, headers=auth(platform_key)
    )
    assert scored.status_code == 200
    _assert_headers(scored, API_CSP)
    # The body limit answers before any route runs; the headers are still there.
    too_large = client.post(
        "/v1/score", content=b"x" * (3 * 1024 * 1024), headers=auth(platform_key)
    )
    assert too_large.status_code == 413
    _assert_headers(too_large, API_CSP)


def test_public_statement_page_and_feed(
    rt: Runtime, client: TestClient, pipeline: InProcessDispatcher
) -> None:
    sid = _published_statement(rt, client)
    page = client.get(f"/v1/statements/{sid}/public")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    _assert_headers(page, None)  # statements sets its own page policy; it is kept
    assert _runs_no_script(page.headers["content-security-policy"])
    _assert_headers(client.get("/v1/statements/feed.atom"), API_CSP)
    _assert_headers(client.get(f"/v1/statements/{sid}/claimreview.jsonld"), API_CSP)


def test_incident_report_is_a_document_without_scripts(rt: Runtime, client: TestClient) -> None:
    incident_id = open_incident(rt)
    report = client.get(
        f"/v1/incidents/{incident_id}/report", headers=auth(new_user_token(rt, "pr"))
    )
    assert report.status_code == 200 and "<style>" in report.text
    _assert_headers(report, DOCUMENT_CSP)
    assert _runs_no_script(DOCUMENT_CSP)


def test_ui_pages_get_the_page_policy(client: TestClient) -> None:
    resp = client.get("/ui/login")
    assert resp.headers["content-type"].startswith("text/html")
    _assert_headers(resp, UI_CSP)
    assert resp.headers["cache-control"] == "no-store"


def test_ui_static_files_and_redirects(client: TestClient) -> None:
    js = client.get("/ui/static/app.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    _assert_headers(js, API_CSP)
    _assert_headers(client.get("/", follow_redirects=False), API_CSP)


@pytest.mark.parametrize("path", ["/docs", "/docs/oauth2-redirect", "/redoc"])
def test_docs_allow_their_own_inline_scripts_by_hash_only(client: TestClient, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 200
    csp = resp.headers["content-security-policy"]
    for name, value in COMMON.items():
        assert resp.headers[name] == value
    assert "frame-ancestors 'none'" in csp
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    inline = re.findall(r"<script>(.*?)</script>", resp.text, re.DOTALL)
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src
