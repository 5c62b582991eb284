"""Legal holds, log verification and legal approval of statements; PR corrections and withdrawal."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from audit.models import AuditEvent
from statements.models import Statement
from tests.review_ui.conftest import Stack, browser_client, csrf_of, decided_case, sign_in
from tests.statements.helpers import false_claim


@pytest.fixture
def shared(module_stack: Stack) -> Stack:
    """One runtime for the tests that leave the log intact (verify gets a stack of its own)."""
    return module_stack


def _signed_in(stack: Stack, role: str, start: str) -> tuple[TestClient, str, str]:
    client = browser_client(stack)
    name = stack.user(role)
    sign_in(client, name)
    return client, csrf_of(client.get(start).text), name


def _actions(stack: Stack) -> list[str]:
    with stack.rt.sessions() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_legal_holds_a_case_from_its_history_and_releases_it_with_reasons(shared: Stack) -> None:
    case_id = decided_case(shared, "Plandemic hoax exposed!! share before", "subpoena 4")
    client, token, _ = _signed_in(shared, "legal", "/ui/legal/holds")
    history = client.get(f"/ui/legal/cases/{case_id}").text
    assert f"/ui/legal/holds?subject_type=case&amp;subject_id={case_id}" in history
    assert (
        f'value="{case_id}"'
        in client.get(f"/ui/legal/holds?subject_type=case&subject_id={case_id}").text
    )

    form = {"csrf_token": token, "subject_type": "case", "subject_id": case_id}
    no_reason = client.post("/ui/legal/holds", data={**form, "reason": " "})
    assert no_reason.status_code == 422 and "needs a reason" in no_reason.text
    bad_kind = client.post("/ui/legal/holds", data={**form, "subject_type": "user", "reason": "x"})
    assert bad_kind.status_code == 422 and "Choose what to hold" in bad_kind.text
    typo = {**form, "subject_id": f"{case_id}x", "reason": "subpoena 4"}
    unknown = client.post("/ui/legal/holds", data=typo)
    assert unknown.status_code == 404 and f"no case {case_id}x to hold" in unknown.text
    held = client.post(
        "/ui/legal/holds", data={**form, "reason": "subpoena 4"}, follow_redirects=False
    )
    assert held.headers["location"] == "/ui/legal/holds?notice=held"
    again = client.post("/ui/legal/holds", data={**form, "reason": "twice"})
    assert again.status_code == 409 and "already on hold" in again.text

    page = client.get("/ui/legal/holds").text
    assert "subpoena 4" in page and case_id in page
    with shared.rt.sessions() as session:
        from audit.holds import active_holds

        hold_id = active_holds(session)[0].id
    unexplained = client.post(
        f"/ui/legal/holds/{hold_id}/release", data={"csrf_token": token, "reason": ""}
    )
    assert unexplained.status_code == 422
    released = client.post(
        f"/ui/legal/holds/{hold_id}/release",
        data={"csrf_token": token, "reason": "matter closed"},
        follow_redirects=False,
    )
    assert released.headers["location"] == "/ui/legal/holds?notice=released"
    assert "No active holds." in client.get("/ui/legal/holds").text
    assert {"log.legal_hold_set", "log.legal_hold_released"} <= set(_actions(shared))


def test_verify_reports_an_intact_log_then_the_first_edited_event(stack: Stack) -> None:
    decided_case(stack, "Miracle cure hoax!! share before", "verify me")
    client, token, _ = _signed_in(stack, "legal", "/ui/legal/holds")
    intact = client.post("/ui/legal/verify", data={"csrf_token": token})
    assert intact.status_code == 200
    assert 'id="verify-result" class="ok">intact<' in intact.text
    with stack.rt.sessions() as session, session.begin():
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq).offset(2)).first()
        assert event is not None
        doc = dict(event.document)
        doc["message"] = "rewritten"
        event.document = doc
        seq = event.seq
    broken = client.post("/ui/legal/verify", data={"csrf_token": token})
    assert 'class="error">broken<' in broken.text
    assert f"edited at sequence {seq}" in broken.text
    assert _actions(stack).count("log.verified") == 2


def test_a_severe_statement_needs_legal_approval_before_pr_can_publish(shared: Stack) -> None:
    claim = false_claim(shared.rt)
    writer, token, _ = _signed_in(shared, "pr", "/ui/pr")
    drafted = writer.post(
        "/ui/pr/statements",
        data={
            "csrf_token": token,
            "kind": "counter_statement",
            "claim_id": claim.id,
            "incident_severity": "high",
        },
        follow_redirects=False,
    )
    statement_id = drafted.headers["location"].split("/")[-1].split("?")[0]
    approver, approver_token, _ = _signed_in(shared, "pr", "/ui/pr")
    approver.post(
        f"/ui/pr/statements/{statement_id}/approve",
        data={"csrf_token": approver_token, "version": "1"},
    )
    early = approver.post(
        f"/ui/pr/statements/{statement_id}/publish", data={"csrf_token": approver_token}
    )
    assert early.status_code == 409 and "legal approval" in early.text

    legal, legal_token, legal_name = _signed_in(shared, "legal", "/ui/legal/statements")
    waiting_url = f"/ui/legal/statements/{statement_id}"
    waiting = legal.get("/ui/legal/statements").text
    assert f"/ui/legal/statements/{statement_id}" in waiting and "high" in waiting
    shown = re.search(r'name="version" value="(\d+)"', legal.get(f"{waiting_url}").text)
    assert shown is not None
    unseen = legal.post(  # a version the page did not show (a newer one) is not signed
        f"{waiting_url}/approve",
        data={"csrf_token": legal_token, "version": int(shown[1]) + 1},
        follow_redirects=False,
    )
    assert unseen.status_code == 409 and "statement.legal_approved" not in _actions(shared)
    approved = legal.post(
        f"{waiting_url}/approve",
        data={"csrf_token": legal_token, "version": shown[1]},
        follow_redirects=False,
    )
    assert approved.headers["location"].endswith("?notice=approved")
    page = legal.get(approved.headers["location"]).text
    assert 'id="statement-status">approved<' in page and legal_name in page
    assert 'id="legal-approve"' not in page  # nothing left to approve
    published = approver.post(
        f"/ui/pr/statements/{statement_id}/publish",
        data={"csrf_token": approver_token},
        follow_redirects=False,
    )
    assert published.headers["location"].endswith("?notice=published")
    assert "statement.legal_approved" in _actions(shared)
    assert legal.get("/ui/legal/statements/nope").status_code == 404


def test_pr_corrects_a_published_statement_and_withdraws_it_with_a_reason(shared: Stack) -> None:
    claim = false_claim(shared.rt)
    writer, token, _ = _signed_in(shared, "pr", "/ui/pr")
    drafted = writer.post(
        "/ui/pr/statements",
        data={"csrf_token": token, "kind": "counter_statement", "claim_id": claim.id},
        follow_redirects=False,
    )
    url = drafted.headers["location"].split("?")[0]
    approver, approver_token, _ = _signed_in(shared, "pr", "/ui/pr")
    approver.post(f"{url}/approve", data={"csrf_token": approver_token, "version": "1"})
    approver.post(f"{url}/publish", data={"csrf_token": approver_token})

    with shared.rt.sessions() as session:
        statement = session.get(Statement, url.rsplit("/", 1)[-1])
        assert statement is not None and statement.status == "published"
        title, body = statement.title, statement.body
    corrected = writer.post(
        f"{url}/edit",
        data={
            "csrf_token": token,
            "title": title,
            "body": body + " Corrected date.",
            "note": "date",
            "base_version": "1",
        },
        follow_redirects=False,
    )
    assert corrected.headers["location"].endswith("?notice=corrected")
    page = writer.get(corrected.headers["location"]).text
    assert "Save correction" in page and "a correction (version 2) is being prepared" in page
    assert "statement.corrected" in _actions(shared)

    unexplained = writer.post(f"{url}/withdraw", data={"csrf_token": token, "reason": " "})
    assert unexplained.status_code == 422 and "Say why" in unexplained.text
    withdrawn = writer.post(
        f"{url}/withdraw",
        data={"csrf_token": token, "reason": "superseded by ministry notice"},
        follow_redirects=False,
    )
    assert withdrawn.headers["location"].endswith("?notice=withdrawn")
    page = writer.get(withdrawn.headers["location"]).text
    assert 'id="statement-status">withdrawn<' in page and "superseded by ministry notice" in page
    assert 'id="publish"' not in page and 'id="withdraw"' not in page
