"""A /ui text field's limit is counted as the browser counts it: a line break is one character,
though the browser sends it as CRLF. A reason typed up to the field's `maxlength` is accepted
and stored with LF line breaks; one character more is refused with the form's refusal page."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from audit.events import Action
from audit.models import AuditEvent, LegalHold
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
    assert 'name="why"' in form.text and 'maxlength="2000"' in form.text
    path = f"/ui/decisions/{decision}/correct"
    fields: dict[str, Any] = {
        "reason_code": "false_claim",
        "action": "geo_restrict",
        "territories": "FR",
    }
    why = browser_sends(2000)

    _refused(submit(senior, form, path, why=why + "é", **fields), "why", 2000)
    assert _reasons(stack, Action.DECISION_CORRECTED) == []

    corrected = submit(senior, form, path, why=why, **fields)
    assert corrected.status_code == 303, corrected.text
    assert _reasons(stack, Action.DECISION_CORRECTED) == [as_stored(why)]


def test_an_undo_why_one_over_the_limit_is_refused_and_at_the_limit_undoes(stack: Stack) -> None:
    stack.queue_posts(["Bleach cures it, share now!!"])
    _, decision = decide_next(stack, "", "remove")
    senior = signed_in(stack, "senior_reviewer")
    page = senior.get("/ui/decisions")
    why = browser_sends(2000)

    _refused(submit(senior, page, f"/ui/decisions/{decision}/undo", why=why + "é"), "why", 2000)
    assert _reasons(stack, Action.DECISION_UNDONE) == []

    undone = submit(senior, page, f"/ui/decisions/{decision}/undo", why=why)
    assert undone.status_code == 303, undone.text
    assert _reasons(stack, Action.DECISION_UNDONE) == [as_stored(why)]


def test_a_pr_fact_typed_to_the_limit_is_drafted_with_lf(stack: Stack) -> None:
    client = signed_in(stack, "pr")
    assert re.search(
        r'<textarea id="fact" name="fact"[^>]*maxlength="2000"', client.get("/ui/pr").text
    )
    fact = browser_sends(2000)

    _refused(draft_on_workbench(client, kind="counter_statement", fact=fact + "é"), "fact", 2000)
    with stack.rt.sessions() as session:
        assert session.scalars(select(Statement)).first() is None

    drafted = draft_on_workbench(client, kind="counter_statement", fact=fact)
    assert drafted.status_code == 303, drafted.text
    with stack.rt.sessions() as session:
        statement = session.scalars(select(Statement)).one()
        assert as_stored(fact) in statement.body and "\r" not in statement.body


def test_a_legal_hold_reason_typed_to_the_limit_is_kept_with_lf(stack: Stack) -> None:
    post_id = stack.queue_posts(["Bleach cures it, share now!!"])[0]
    case = stack.case(post_id)
    assert case is not None
    client = signed_in(stack, "legal")
    page = client.get("/ui/legal/holds")
    assert re.search(r'id="hold-reason" name="reason"[^>]*maxlength="2000"', page.text)
    reason = browser_sends(2000)
    fields: dict[str, Any] = {"subject_type": "case", "subject_id": case.id}

    _refused(submit(client, page, "/ui/legal/holds", reason=reason + "é", **fields), "reason", 2000)
    with stack.rt.sessions() as session:
        assert session.scalars(select(LegalHold)).first() is None

    held = submit(client, page, "/ui/legal/holds", reason=reason, **fields)
    assert held.status_code == 303, held.text
    with stack.rt.sessions() as session:
        assert session.scalars(select(LegalHold.reason)).one() == as_stored(reason)
