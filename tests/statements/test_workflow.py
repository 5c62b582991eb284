"""Draft → edit → approve (+ legal) → publish → withdraw through the API, role by role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import auth, new_user_token
from tests.statements.helpers import (
    add_messaging_outage,
    drafted_via_api,
    false_claim,
    statement_api,
)

URL = "/v1/statements"


@pytest.fixture
def api(client: TestClient) -> Iterator[TestClient]:
    yield from statement_api(client)


_draft = drafted_via_api


def test_drafter_cannot_approve_own_draft_and_every_version_is_kept(
    rt: Runtime, api: TestClient
) -> None:
    claim = false_claim(rt)
    pr1, pr2 = new_user_token(rt, "pr"), new_user_token(rt, "pr")
    made = _draft(api, pr1, kind="counter_statement", claim_id=claim.id)
    assert made["checks"]["passed"] and made["status"] == "draft"
    own = api.post(f"{URL}/{made['id']}/approve", json={"version": 1}, headers=auth(pr1))
    assert own.status_code == 403 and own.json()["error"]["code"] == "own_draft"

    edit = {"title": made["title"], "body": made["body"] + "\nUpdated.", "note": "tone"}
    edit["base_version"] = 1
    assert api.post(f"{URL}/{made['id']}/edit", json=edit, headers=auth(pr1)).json()["version"] == 2
    diff = api.get(f"{URL}/{made['id']}/diff?from=1&to=2", headers=auth(pr1)).text
    assert "+Updated." in diff and diff.startswith("--- version 1")

    approved = api.post(f"{URL}/{made['id']}/approve", json={"version": 2}, headers=auth(pr2))
    approved = approved.json()
    assert approved["status"] == "approved" and approved["approved_by"].startswith("pr-")
    # An edit after approval needs a fresh approval; the editor cannot give it.
    edited = api.post(
        f"{URL}/{made['id']}/edit", json={**edit, "base_version": 2}, headers=auth(pr2)
    )
    edited = edited.json()
    assert (edited["status"], edited["approved_by"], edited["version"]) == ("draft", None, 3)
    again = api.post(f"{URL}/{made['id']}/approve", json={"version": 3}, headers=auth(pr2))
    assert again.status_code == 403
    versions = api.get(f"{URL}/{made['id']}/versions", headers=auth(pr1)).json()
    assert [v["number"] for v in versions] == [1, 2, 3]


@pytest.mark.parametrize("version", [2**63, 2**31])
def test_a_version_past_the_integer_range_is_422_on_each_backend(
    any_rt: Runtime, version: int
) -> None:
    """A version number past what the databases hold was an OverflowError, a 500 (SQLite)."""
    pr = new_user_token(any_rt, "pr")
    with TestClient(create_app(any_rt)) as client:
        api = next(statement_api(client))
        made = _draft(api, pr, kind="counter_statement", claim_id=false_claim(any_rt).id)
        diff = f"{URL}/{made['id']}/diff"
        resp = api.get(f"{diff}?from=1&to={version}", headers=auth(pr))
        assert resp.status_code == 422, resp.text
        assert resp.json()["error"]["details"][0]["loc"] == ["query", "to"]
        last = api.get(f"{diff}?from={2**31 - 1}&to=1", headers=auth(pr))
        assert last.status_code == 404, last.text  # the largest one is looked up: no such version


def test_a_draft_missing_its_source_or_with_a_placeholder_cannot_be_approved(
    rt: Runtime, api: TestClient
) -> None:
    pr1, pr2 = new_user_token(rt, "pr"), new_user_token(rt, "pr")
    body = {"text": "Tap water is radioactive", "verdict": "false", "explanation": "It is not."}
    claim = api.post("/v1/claims", json=body, headers=auth(pr1)).json()
    sourceless = _draft(api, pr1, kind="counter_statement", claim_id=claim["id"])
    assert "no_source" in {f["code"] for f in sourceless["checks"]["failures"]}
    refused = api.post(f"{URL}/{sourceless['id']}/approve", json={"version": 1}, headers=auth(pr2))
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "checks_failed"

    notice = _draft(
        api,
        pr1,
        kind="service_interruption",
        facts={"service": "Messaging", "current_status": "degraded"},
        sources=["https://status.example.com"],
    )
    assert "placeholder" in {f["code"] for f in notice["checks"]["failures"]}
    assert (
        api.post(
            f"{URL}/{notice['id']}/approve", json={"version": 1}, headers=auth(pr2)
        ).status_code
        == 422
    )
    publish = api.post(f"{URL}/{notice['id']}/publish", headers=auth(pr1))
    assert publish.status_code == 409 and publish.json()["error"]["code"] == "not_approved"


def test_a_severe_incident_statement_needs_legal_approval_too(rt: Runtime, api: TestClient) -> None:
    pr1, pr2, legal = (new_user_token(rt, r) for r in ("pr", "pr", "legal"))
    facts = {
        "what_happened": "that a partner's API key was misused to read public profile data.",
        "discovered_at": "25 November",
        "data_affected": "No passwords or private messages were read.",
        "what_we_did": "We revoked the key and closed the gap.",
        "what_to_do": "Nothing is needed from you.",
        "advisory_url": "https://security.example.com/advisories/1",
    }
    made = _draft(
        api, pr1, kind="security_incident", facts=facts, incident_severity="high", incident_id="i1"
    )
    assert made["checks"]["passed"] and made["requires_legal"]
    first = api.post(f"{URL}/{made['id']}/approve", json={"version": 1}, headers=auth(pr2))
    assert first.json()["status"] == "draft"
    blocked = api.post(f"{URL}/{made['id']}/publish", headers=auth(pr1))
    assert blocked.status_code == 409 and "legal approval" in blocked.json()["error"]["message"]
    ok = api.post(f"{URL}/{made['id']}/legal-approve", json={"version": 1}, headers=auth(legal))
    ok = ok.json()
    assert ok["status"] == "approved" and ok["legal_approved_by"].startswith("legal-")
    assert api.post(f"{URL}/{made['id']}/publish", headers=auth(pr1)).json()["status"] == (
        "published"
    )


def test_each_role_is_held_to_its_steps(rt: Runtime, api: TestClient) -> None:
    claim = false_claim(rt)
    pr1, pr2 = new_user_token(rt, "pr"), new_user_token(rt, "pr")
    made = _draft(api, pr1, kind="counter_statement", claim_id=claim.id)
    api.post(f"{URL}/{made['id']}/approve", json={"version": 1}, headers=auth(pr2))
    sid = made["id"]
    for role in ("reviewer", "senior_reviewer", "legal"):
        token = new_user_token(rt, role)
        assert api.post(f"{URL}/{sid}/publish", headers=auth(token)).status_code == 403, role
        assert (
            api.post(
                f"{URL}/{sid}/withdraw", json={"reason": "x y z"}, headers=auth(token)
            ).status_code
            == 403
        )
    for role in ("reviewer", "senior_reviewer", "legal"):
        token = new_user_token(rt, role)
        draft = api.post(
            URL, json={"kind": "counter_statement", "claim_id": claim.id}, headers=auth(token)
        )
        assert draft.status_code == 403, role
        refused = api.post(f"{URL}/{sid}/approve", json={"version": 1}, headers=auth(token))
        assert refused.status_code == 403, role
    for role in ("reviewer", "senior_reviewer", "pr", "admin"):
        token = new_user_token(rt, role)
        legal = api.post(f"{URL}/{sid}/legal-approve", json={"version": 1}, headers=auth(token))
        assert legal.status_code == 403
    assert api.get(f"{URL}/{sid}", headers=auth(new_user_token(rt, "reviewer"))).status_code == 403
    assert api.post(f"{URL}/{sid}/publish").status_code == 401
    admin = new_user_token(rt, "admin")
    assert api.post(f"{URL}/{sid}/publish", headers=auth(admin)).json()["status"] == "published"


def test_bad_drafts_are_refused_with_a_reason(rt: Runtime, api: TestClient) -> None:
    pr = new_user_token(rt, "pr")
    ungrounded = api.post(URL, json={"kind": "counter_statement"}, headers=auth(pr))
    assert ungrounded.status_code == 422
    unknown = api.post(
        URL, json={"kind": "counter_statement", "claim_id": "nope"}, headers=auth(pr)
    )
    assert unknown.status_code == 404
    channel = api.post(
        URL, json={"kind": "counter_statement", "claim_id": "x", "channel": "fax"}, headers=auth(pr)
    )
    assert channel.status_code == 422
    llm = api.post(
        URL,
        json={"kind": "counter_statement", "claim_id": false_claim(rt).id, "generator": "llm"},
        headers=auth(pr),
    )
    assert llm.status_code == 422 and llm.json()["error"]["code"] == "generator_not_configured"


def test_a_draft_the_system_opened_needs_a_person_to_save_it_before_another_approves(
    rt: Runtime, api: TestClient
) -> None:
    """The two-person rule counts the machine drafter as nobody: the PR person who checks
    and saves the automatic draft is its author, and someone else approves it."""
    from core.db import transaction
    from statements.drafts import open_draft_for_decision
    from tests.pipeline.factories import make_case

    claim = false_claim(rt)
    case_id = make_case(rt.sessions)  # a decision's draft names a real case (its language)
    with transaction(rt.sessions) as session:
        opened = open_draft_for_decision(
            session, case_id=case_id, claim_id=claim.id, action="remove", reason_code="false_claim"
        )
        assert opened is not None and opened.created_by == "system:drafts"
        sid = opened.id
    checker, approver = new_user_token(rt, "pr"), new_user_token(rt, "pr")
    made = api.get(f"{URL}/{sid}", headers=auth(checker)).json()
    assert made["checks"]["passed"], "its checks pass: only a person's look is missing"
    for token in (checker, approver):
        unread = api.post(f"{URL}/{sid}/approve", json={"version": 1}, headers=auth(token))
        assert unread.status_code == 409, unread.text
        assert unread.json()["error"]["code"] == "unreviewed_draft"

    same = {"title": made["title"], "body": made["body"], "note": "checked, no change needed"}
    same["base_version"] = 1
    assert api.post(f"{URL}/{sid}/edit", json=same, headers=auth(checker)).status_code == 200
    own = api.post(f"{URL}/{sid}/approve", json={"version": 2}, headers=auth(checker))
    assert own.status_code == 403 and own.json()["error"]["code"] == "own_draft"
    approved = api.post(f"{URL}/{sid}/approve", json={"version": 2}, headers=auth(approver))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_an_incidents_draft_is_the_drafters_not_the_activators(rt: Runtime) -> None:
    from core.actors import Actor, ActorType
    from core.db import transaction
    from core.errors import Conflict
    from statements import service
    from statements.drafts import open_draft_for_incident

    lead = Actor(name="lead", type=ActorType.HUMAN, roles=("leadership",))
    pr = Actor(name="pr-one", type=ActorType.HUMAN, roles=("pr",))
    with transaction(rt.sessions) as session:
        incident = add_messaging_outage(session, "outage:auto", grade=3)
        made = open_draft_for_incident(session, incident, lead)
        assert made is not None and made.created_by == "system:drafts"
        with pytest.raises(Conflict, match="drafted automatically"):
            service.approve(session, made.id, pr)


def test_an_edit_with_a_blank_title_or_body_is_422_and_saves_nothing(
    rt: Runtime, api: TestClient
) -> None:
    pr = new_user_token(rt, "pr")
    made = _draft(api, pr, kind="counter_statement", claim_id=false_claim(rt).id)
    for field, blank in (("title", "   "), ("body", "\n\t \n")):
        text = {"title": made["title"], "body": made["body"], "base_version": 1, field: blank}
        resp = api.post(f"{URL}/{made['id']}/edit", json=text, headers=auth(pr))
        assert resp.status_code == 422, (field, resp.text)
        assert resp.json()["error"]["details"][0]["loc"] == ["body", field]
    assert api.get(f"{URL}/{made['id']}", headers=auth(pr)).json()["version"] == 1


def test_a_withdrawal_whose_reason_is_only_spaces_is_422_and_withdraws_nothing(
    rt: Runtime, api: TestClient
) -> None:
    pr1, pr2 = new_user_token(rt, "pr"), new_user_token(rt, "pr")
    made = _draft(api, pr1, kind="counter_statement", claim_id=false_claim(rt).id)
    api.post(f"{URL}/{made['id']}/approve", json={"version": 1}, headers=auth(pr2))
    published = api.post(f"{URL}/{made['id']}/publish", headers=auth(pr1)).json()
    assert published["status"] == "published"
    for blank in ("     ", " \n\t "):
        resp = api.post(f"{URL}/{made['id']}/withdraw", json={"reason": blank}, headers=auth(pr1))
        assert resp.status_code == 422, resp.text
        assert resp.json()["error"]["code"] == "reason_required"
        [problem] = resp.json()["error"]["details"]
        assert problem["loc"] == ["body", "reason"] and "only spaces" in problem["msg"]
    assert api.get(f"{URL}/{made['id']}", headers=auth(pr1)).json()["status"] == "published"
