"""An edit or an approval names the version its author read: one made on a version that has
changed since is refused (409 stale_version), so nobody approves text they never saw and no
editor's correction is dropped by another's save."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import auth, new_user_token
from tests.statements.helpers import drafted_via_api, false_claim, statement_api

URL = "/v1/statements"


@pytest.fixture
def api(any_rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(any_rt)) as client:
        yield from statement_api(client)


_draft = drafted_via_api


def _edit(api: TestClient, token: str, made: dict[str, Any], seen: int, line: str) -> Any:
    text = {"title": made["title"], "body": f"{made['body']}\n{line}", "base_version": seen}
    return api.post(f"{URL}/{made['id']}/edit", json=text, headers=auth(token))


def _stale(resp: Any, now: int) -> None:
    assert resp.status_code == 409, resp.text
    error = resp.json()["error"]
    assert error["code"] == "stale_version"
    assert f"changed since you opened it (now version {now})" in error["message"]


def test_an_approval_of_a_version_that_changed_since_is_refused(
    any_rt: Runtime, api: TestClient
) -> None:
    pr1, pr2, pr3 = (new_user_token(any_rt, "pr") for _ in range(3))
    made = _draft(api, pr1, kind="counter_statement", claim_id=false_claim(any_rt).id)
    assert _edit(api, pr2, made, 1, "Second line.").status_code == 200  # pr3 reads version 2
    assert _edit(api, pr2, made, 2, "Third line.").status_code == 200  # pr2 saves version 3

    unseen = api.post(f"{URL}/{made['id']}/approve", json={"version": 2}, headers=auth(pr3))
    _stale(unseen, 3)
    after = api.get(f"{URL}/{made['id']}", headers=auth(pr1)).json()
    assert (after["status"], after["approved_by"], after["version"]) == ("draft", None, 3)

    seen = api.post(f"{URL}/{made['id']}/approve", json={"version": 3}, headers=auth(pr3))
    assert seen.status_code == 200 and seen.json()["status"] == "approved"


def test_legal_approval_names_the_version_too(any_rt: Runtime, api: TestClient) -> None:
    pr1, legal = new_user_token(any_rt, "pr"), new_user_token(any_rt, "legal")
    claim_id = false_claim(any_rt).id
    made = _draft(api, pr1, kind="counter_statement", claim_id=claim_id, legal_review=True)
    assert made["requires_legal"]
    assert _edit(api, pr1, made, 1, "More.").status_code == 200
    old = api.post(f"{URL}/{made['id']}/legal-approve", json={"version": 1}, headers=auth(legal))
    _stale(old, 2)
    ok = api.post(f"{URL}/{made['id']}/legal-approve", json={"version": 2}, headers=auth(legal))
    assert ok.status_code == 200 and ok.json()["legal_approved_by"], ok.text


def test_the_second_of_two_editors_who_opened_the_same_version_is_refused(
    any_rt: Runtime, api: TestClient
) -> None:
    pr1, pr2, pr3 = (new_user_token(any_rt, "pr") for _ in range(3))
    made = _draft(api, pr1, kind="counter_statement", claim_id=false_claim(any_rt).id)
    first = _edit(api, pr2, made, 1, "pr2's correction.")
    assert first.status_code == 200 and first.json()["version"] == 2
    _stale(_edit(api, pr3, made, 1, "pr3's correction."), 2)
    versions = api.get(f"{URL}/{made['id']}/versions", headers=auth(pr1)).json()
    assert [v["number"] for v in versions] == [1, 2]
    assert "pr2's correction." in versions[-1]["body"]


def test_an_edit_or_an_approval_without_the_version_read_is_422(
    any_rt: Runtime, api: TestClient
) -> None:
    pr1, pr2 = new_user_token(any_rt, "pr"), new_user_token(any_rt, "pr")
    made = _draft(api, pr1, kind="counter_statement", claim_id=false_claim(any_rt).id)
    bare = {"title": made["title"], "body": made["body"]}
    edit = api.post(f"{URL}/{made['id']}/edit", json=bare, headers=auth(pr2))
    assert edit.status_code == 422 and "base_version" in edit.text
    for step in ("approve", "legal-approve"):
        token = pr2 if step == "approve" else new_user_token(any_rt, "legal")
        resp = api.post(f"{URL}/{made['id']}/{step}", json={}, headers=auth(token))
        assert resp.status_code == 422, (step, resp.text)
        assert resp.json()["error"]["details"][0]["loc"] == ["body", "version"]
        no_body = api.post(f"{URL}/{made['id']}/{step}", headers=auth(token))
        assert no_body.status_code == 400, (step, no_body.text)  # the API's missing-body answer
    assert api.get(f"{URL}/{made['id']}", headers=auth(pr1)).json()["status"] == "draft"


def test_the_api_document_requires_the_version_read(api: TestClient) -> None:
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    assert "base_version" in schemas["EditIn"]["required"]
    assert schemas["SignOffIn"]["required"] == ["version"]
    assert schemas["SignOffIn"]["properties"]["version"]["maximum"] == 2**31 - 1
