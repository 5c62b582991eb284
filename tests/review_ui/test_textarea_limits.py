"""A /ui text field's limit is counted as the browser counts it: a line break is one character,
though the browser sends it as CRLF. A reason typed up to the field's `maxlength` is accepted
and stored with LF line breaks; one character more is refused with the form's refusal page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from audit.events import Action
from audit.models import AuditEvent, LegalHold
from claims.models import Claim
from incidents.models import Incident
from statements.models import Statement
from tests.review_ui.conftest import Stack, decide_next, draft_on_workbench, signed_in, submit


def browser_sends(limit: int) -> str:
    """What a browser sends for a field filled to `limit` characters (a multiple of 50) over
    several lines: each line break as CRLF, which the browser counted as one character."""
    lines = limit // 50
    return "\r\n".join(["é" * 49] * (lines - 1) + ["é" * 50])


def as_stored(sent: str) -> str:
    return sent.replace("\r\n", "\n")


def _refused(response: Any, field: str, limit: int) -> None:
    """The form refusal page (not the API's JSON) naming the field and its limit."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="form-problem"' in response.text
    problem = re.search(r'id="form-problem">([^<]*)<', response.text)
    assert problem and field in problem.group(1) and f"{limit}" in problem.group(1)


def _limit_as_typed(
    send: Callable[[str], Any], field: str, limit: int, stored: Callable[[], list[str]]
) -> None:
    """`send(text)` posts the form with `field` set to `text`: one character past the limit
    (counted as typed) is refused and nothing is stored; at the limit, sent with CRLF, the form
    is accepted and `stored()` is what was typed, with LF line breaks."""
    typed = browser_sends(limit)
    _refused(send(typed + "é"), field, limit)
    assert stored() == []
    accepted = send(typed)
    assert accepted.status_code == 303, accepted.text
    assert stored() == [as_stored(typed)]


def _reasons(stack: Stack, action: Action) -> list[str]:
    with stack.rt.sessions() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
        logged: list[Any] = [e.document["veracity"] for e in events]
        return [str(v["reason"]) for v in logged]


def test_the_sent_text_is_the_limit_as_typed_and_longer_as_sent() -> None:
    sent = browser_sends(2000)
    assert len(as_stored(sent)) == 2000 < len(sent)


def test_a_correction_why_typed_to_the_limit_is_accepted_and_stored_with_lf(
    stack: Stack,
) -> None:
    stack.queue_posts(["Garlic and bleach cure, share now!!"])
    _, decision = decide_next(stack, "", "geo_restrict", territories=["DE", "AT"])
    senior = signed_in(stack, "senior_reviewer")
    form = senior.get(f"/ui/decisions/{decision}/correct")
    assert re.search(r'name="why"[^>]*maxlength="2000"', form.text)
    fields: dict[str, Any] = {
        "reason_code": "false_claim",
        "action": "geo_restrict",
        "territories": "FR",
    }

    def correct(why: str) -> Any:
        return submit(senior, form, f"/ui/decisions/{decision}/correct", why=why, **fields)

    _limit_as_typed(correct, "why", 2000, lambda: _reasons(stack, Action.DECISION_CORRECTED))


def test_an_undo_why_typed_to_the_limit_is_accepted_and_stored_with_lf(stack: Stack) -> None:
    stack.queue_posts(["Bleach cures it, share now!!"])
    _, decision = decide_next(stack, "", "remove")
    senior = signed_in(stack, "senior_reviewer")
    page = senior.get("/ui/decisions")
    assert re.search(rf'id="why-{decision}" name="why"[^>]*maxlength="2000"', page.text)

    def undo(why: str) -> Any:
        return submit(senior, page, f"/ui/decisions/{decision}/undo", why=why)

    _limit_as_typed(undo, "why", 2000, lambda: _reasons(stack, Action.DECISION_UNDONE))


def test_a_pr_fact_typed_to_the_limit_is_drafted_with_lf(stack: Stack) -> None:
    client = signed_in(stack, "pr")
    page = client.get("/ui/pr").text
    assert re.search(r'<textarea id="fact" name="fact"[^>]*maxlength="2000"', page)

    def drafted_facts() -> list[str]:
        """The fact as the drafted statement's body quotes it (its lines between the template's)."""
        with stack.rt.sessions() as session:
            bodies = session.scalars(select(Statement.body)).all()
        return [re.sub(r"^[^é]*|[^é]*$", "", body) for body in bodies]

    def draft(fact: str) -> Any:
        return draft_on_workbench(client, kind="counter_statement", fact=fact)

    _limit_as_typed(draft, "fact", 2000, drafted_facts)


def test_a_legal_hold_reason_typed_to_the_limit_is_kept_with_lf(stack: Stack) -> None:
    post_id = stack.queue_posts(["Bleach cures it, share now!!"])[0]
    case = stack.case(post_id)
    assert case is not None
    client = signed_in(stack, "legal")
    page = client.get("/ui/legal/holds")
    assert re.search(r'id="hold-reason" name="reason"[^>]*maxlength="2000"', page.text)

    def hold(reason: str) -> Any:
        fields: dict[str, Any] = {"subject_type": "case", "subject_id": case.id, "reason": reason}
        return submit(client, page, "/ui/legal/holds", **fields)

    def reasons() -> list[str]:
        with stack.rt.sessions() as session:
            return list(session.scalars(select(LegalHold.reason)))

    _limit_as_typed(hold, "reason", 2000, reasons)


@pytest.mark.parametrize(("field", "limit"), [("text", 5000), ("explanation", 20_000)])
def test_a_claim_typed_to_its_limits_is_added_with_lf(stack: Stack, field: str, limit: int) -> None:
    client = signed_in(stack, "pr")
    page = client.get("/ui/claims")
    assert re.search(rf'name="{field}"[^>]*maxlength="{limit}"', page.text)

    def add(typed: str) -> Any:
        fields: dict[str, Any] = {"verdict": "false", "text": "Bleach cures the flu.", field: typed}
        return submit(client, page, "/ui/claims", **fields)

    def stored() -> list[str]:
        with stack.rt.sessions() as session:
            return [getattr(claim, field) for claim in session.scalars(select(Claim))]

    _limit_as_typed(add, field, limit, stored)


def test_an_incident_report_typed_to_its_limit_is_kept_whole_and_one_more_is_refused(
    stack: Stack,
) -> None:
    """The report form's `what` was cut to 10,000 characters as sent (CRLF counting twice), so a
    report typed within the textarea's limit lost its end without a word."""
    client = signed_in(stack, "pr")
    page = client.get("/ui/incidents")
    assert re.search(r'name="what"[^>]*maxlength="10000"', page.text)
    typed = browser_sends(10_000)

    def report(what: str) -> Any:
        return submit(client, page, "/ui/incidents", type="outage", title="Feed down", what=what)

    def described() -> list[str]:
        with stack.rt.sessions() as session:
            return list(session.scalars(select(Incident.description)))

    refused = report(typed + "é")
    assert refused.status_code == 422 and "what" in refused.text
    assert described() == []
    accepted = report(typed)
    assert accepted.status_code == 303, accepted.text
    assert described() == [as_stored(typed)]
