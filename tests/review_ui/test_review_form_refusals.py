"""The reviewer's forms never lose what was typed: a refused form is an HTML page with the reason
(the case page again where it was the decision form), a note counts its line breaks as the
browser does, and a decision refused because the case moved on keeps the note as a draft."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from audit.events import Action
from audit.models import AuditEvent
from core.actors import Actor, ActorType
from core.clock import utcnow
from core.db import transaction
from pipeline import queue
from pipeline.console_models import CaseNoteDraft, ReviewerSettings
from pipeline.models import Decision, ReviewCase
from review_ui.form_encoding import fields_with_nul, misencoded_fields
from tests.conftest import BACKENDS
from tests.core.backends import database_url
from tests.review_ui.conftest import (
    Stack,
    browser_client,
    claim_next_in_ui,
    csrf_of,
    sign_in,
    signed_in,
    stack_on,
    submit,
)

SENIOR = Actor(name="senior-lead", type=ActorType.HUMAN, roles=("senior_reviewer",))
POST = "Bill Gates microchip hoax exposed, share before it is banned!!"
# What a browser sends for a 5,000-character note of 100 lines: its line breaks as CRLF.
BROWSER_NOTE = "\r\n".join(["é" * 49] * 100) + "\r\n"


@pytest.fixture(params=BACKENDS)
def any_stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    yield from stack_on(database_url(request, tmp_path))


def _held_case(stack: Stack) -> tuple[TestClient, str, str]:
    """A reviewer signed in and holding a case: the client, the case's id and their name."""
    stack.queue_posts([POST])
    client = browser_client(stack)
    name = stack.user("reviewer")
    sign_in(client, name)
    return client, claim_next_in_ui(client), name


def _decide(client: TestClient, case_id: str, **fields: Any) -> Any:
    path = f"/ui/review/cases/{case_id}"
    return submit(client, client.get(path), f"{path}/decide", **fields)


def _draft(stack: Stack, case_id: str, username: str) -> str | None:
    with stack.rt.sessions() as session:
        row = session.get(CaseNoteDraft, (case_id, username))
        return row.note if row else None


def _too_long_cap(client: TestClient, **headers: str) -> Any:
    """The wellness form sent with a daily cap longer than the field takes (8 characters)."""
    page = client.get("/ui/review/wellness")
    return submit(client, page, "/ui/review/wellness", daily_cap="1" * 9, headers=headers)


def _removed_with_note(client: TestClient, page: Any, case_id: str, note: str) -> str:
    """The case page's decision form (as loaded before the case moved on) sent with `note`:
    where the reviewer is sent and what they read there."""
    path = f"/ui/review/cases/{case_id}"
    sent = submit(
        client, page, f"{path}/decide", reason_code="false_claim", action="remove", note=note
    )
    location: str = sent.headers["location"]
    return f"{location} {client.get(location).text}"


def _lease_runs_out(stack: Stack, case_id: str) -> None:
    with transaction(stack.rt.sessions) as session:
        case = session.get(ReviewCase, case_id)
        assert case is not None
        case.lease_expires_at = utcnow() - timedelta(minutes=1)


def test_a_note_of_5000_characters_with_crlf_line_breaks_is_accepted(stack: Stack) -> None:
    client, case_id, _ = _held_case(stack)
    assert len(BROWSER_NOTE.replace("\r\n", "\n")) == 5000 < len(BROWSER_NOTE)
    response = _decide(
        client, case_id, reason_code="misleading_context", action="label", note=BROWSER_NOTE
    )
    assert response.status_code == 303, response.text
    with stack.rt.sessions() as session:
        decision = session.scalars(select(Decision).where(Decision.case_id == case_id)).one()
        assert decision.note == BROWSER_NOTE.replace("\r\n", "\n").strip()


def test_a_note_over_the_limit_comes_back_on_the_case_page_as_typed(stack: Stack) -> None:
    client, case_id, _ = _held_case(stack)
    note = "y" * 5001
    response = _decide(client, case_id, reason_code="misleading_context", action="label", note=note)
    assert response.status_code == 422
    page = response.text
    assert page.startswith("<!doctype html>") or "<html" in page
    assert 'id="decision-error"' in page and "at most 5000" in page
    assert f">{note}</textarea>" in page
    assert 'value="label" data-key="l" checked' in page
    with stack.rt.sessions() as session:
        case = session.get(ReviewCase, case_id)
        assert case is not None and case.status == "claimed"


def test_the_autosave_counts_crlf_line_breaks_as_one(stack: Stack) -> None:
    client, case_id, name = _held_case(stack)
    token = csrf_of(client.get(f"/ui/review/cases/{case_id}").text)
    saved = client.post(
        f"/ui/review/cases/{case_id}/note",
        data={"note": BROWSER_NOTE},
        headers={"x-csrf-token": token, "accept": "application/json"},
    )
    assert saved.json() == {"saved": True}
    assert _draft(stack, case_id, name) == BROWSER_NOTE.replace("\r\n", "\n")


def test_escalating_with_a_long_note_hands_it_on_whole(any_stack: Stack) -> None:
    client, case_id, _ = _held_case(any_stack)
    note = "Needs a senior: " + "context " * 500  # over 2,000 characters, under 5,000
    page = client.get(f"/ui/review/cases/{case_id}")
    response = submit(client, page, f"/ui/review/cases/{case_id}/escalate", reason=note)
    assert response.headers["location"] == "/ui/review?notice=escalated"
    with any_stack.rt.sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.case_id == case_id, AuditEvent.action == Action.CASE_ESCALATED.value
            )
        ).one()
        logged = event.document["veracity"]
        assert isinstance(logged, dict) and logged["reason"] == note.strip()


def test_an_escalation_note_over_the_limit_comes_back_on_the_case_page(stack: Stack) -> None:
    client, case_id, _ = _held_case(stack)
    note = "z" * 5001
    page = client.get(f"/ui/review/cases/{case_id}")
    response = submit(client, page, f"/ui/review/cases/{case_id}/escalate", reason=note)
    assert response.status_code == 422
    assert 'id="decision-error"' in response.text and f">{note}</textarea>" in response.text
    with stack.rt.sessions() as session:
        case = session.get(ReviewCase, case_id)
        assert case is not None and case.status == "claimed" and case.stage != "escalated"


def test_any_refused_ui_form_is_an_html_page_naming_the_field(stack: Stack) -> None:
    client = signed_in(stack, "reviewer")
    response = _too_long_cap(client)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "daily cap" in response.text.lower() and "at most 8" in response.text
    assert 'href="/ui/review/wellness"' in response.text  # the way back to the form
    again = _too_long_cap(client, referer="https://testserver/ui/review/wellness?from=case")
    assert 'href="/ui/review/wellness?from=case"' in again.text


def test_a_refused_form_speaks_the_readers_language(stack: Stack) -> None:
    response = _too_long_cap(signed_in(stack, "reviewer"), **{"accept-language": "zh-CN"})
    assert response.status_code == 422 and 'lang="zh-Hans"' in response.text
    assert "表单" in response.text


def test_the_api_still_answers_json_for_a_bad_body(stack: Stack) -> None:
    client = browser_client(stack)
    response = client.post("/v1/auth/token", json={"username": 3})
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("cap", ["²", "١٢", "+5", " 5 5"])
def test_a_daily_cap_that_is_not_ascii_digits_is_refused_on_the_page(
    stack: Stack, cap: str
) -> None:
    client = signed_in(stack, "reviewer")
    page = client.get("/ui/review/wellness")
    response = submit(client, page, "/ui/review/wellness", daily_cap=cap)
    assert response.status_code == 422, response.text
    assert "whole number from 1 to 1000" in response.text
    with stack.rt.sessions() as session:
        assert session.scalars(select(ReviewerSettings)).first() is None


def test_a_decision_on_a_reassigned_case_says_so_and_keeps_the_note(any_stack: Stack) -> None:
    client, case_id, name = _held_case(any_stack)
    page = client.get(f"/ui/review/cases/{case_id}")
    other = any_stack.user("reviewer")
    with transaction(any_stack.rt.sessions) as session:
        queue.reassign(session, case_id, SENIOR, other, ("reviewer",))
    answer = _removed_with_note(client, page, case_id, "AFP rated it false\r\nsee the link")
    assert answer.startswith("/ui/review?notice=reassigned ") and "was reassigned" in answer
    assert _draft(any_stack, case_id, name) == "AFP rated it false\nsee the link"
    with any_stack.rt.sessions() as session:
        case = session.get(ReviewCase, case_id)
        assert case is not None and case.claimed_by == other and case.status == "claimed"


def test_a_decision_after_the_lease_ran_out_keeps_the_note(any_stack: Stack) -> None:
    client, case_id, name = _held_case(any_stack)
    page = client.get(f"/ui/review/cases/{case_id}")
    _lease_runs_out(any_stack, case_id)
    answer = _removed_with_note(client, page, case_id, "typed before the lease ran out")
    assert answer.startswith("/ui/review?notice=lost-kept ") and "note is saved" in answer
    assert _draft(any_stack, case_id, name) == "typed before the lease ran out"


def test_a_case_taken_by_another_after_the_lease_ran_out_is_not_called_reassigned(
    stack: Stack,
) -> None:
    client, case_id, name = _held_case(stack)
    page = client.get(f"/ui/review/cases/{case_id}")
    _lease_runs_out(stack, case_id)
    assert claim_next_in_ui(signed_in(stack, "reviewer")) == case_id
    answer = _removed_with_note(client, page, case_id, "mine")
    assert answer.startswith("/ui/review?notice=taken ") and "another reviewer took it" in answer
    assert _draft(stack, case_id, name) == "mine"


@pytest.mark.parametrize("field", ["note", "public_facts"])
def test_a_decision_form_not_in_utf8_is_refused_and_nothing_stored(
    stack: Stack, field: str
) -> None:
    client, case_id, _ = _held_case(stack)
    token = csrf_of(client.get(f"/ui/review/cases/{case_id}").text)
    body = (f"csrf_token={token}&reason_code=false_claim&action=remove&{field}=caf%E9%FF").encode()
    response = client.post(
        f"/ui/review/cases/{case_id}/decide",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "UTF-8" in response.text and field.replace("_", " ") in response.text
    with stack.rt.sessions() as session:
        assert session.scalars(select(Decision).where(Decision.case_id == case_id)).first() is None


def test_an_autosaved_note_not_in_utf8_is_refused_and_not_stored(stack: Stack) -> None:
    client, case_id, name = _held_case(stack)
    token = csrf_of(client.get(f"/ui/review/cases/{case_id}").text)
    response = client.post(
        f"/ui/review/cases/{case_id}/note",
        content=b"note=caf%E9",
        headers={"content-type": "application/x-www-form-urlencoded", "x-csrf-token": token},
    )
    assert response.status_code == 400
    assert _draft(stack, case_id, name) is None


def test_which_form_fields_are_not_utf8() -> None:
    assert misencoded_fields(b"note=caf%C3%A9+%E2%9C%93&csrf_token=abc&empty=") == []
    assert misencoded_fields(b"note=caf%E9&why=ok&legal_ground=%FF%FE") == ["note", "legal ground"]
    assert misencoded_fields("note=café".encode()) == ["note"]  # raw bytes, not percent-encoded
    assert misencoded_fields(b"") == []


def test_a_decision_note_with_a_nul_character_is_refused_as_a_page(any_stack: Stack) -> None:
    """PostgreSQL cannot store U+0000; a reviewer is told on a page, not with the API's JSON."""
    client, case_id, _ = _held_case(any_stack)
    response = _decide(
        client, case_id, reason_code="false_claim", action="remove", note="bleach\x00cures"
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "NUL" in response.text and "note" in response.text
    with any_stack.rt.sessions() as session:
        assert session.scalars(select(Decision).where(Decision.case_id == case_id)).first() is None
    assert fields_with_nul(b"note=a%00b&why=ok&x%00=1") == ["note", "x\\u0000"]
