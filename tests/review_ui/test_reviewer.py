"""Reviewer actions through the UI's HTTP edge: skip, escalate, decision errors."""

from __future__ import annotations

import re
from dataclasses import replace

from fastapi.testclient import TestClient
from sqlalchemy import select

from pipeline.models import Decision, ReviewCase
from tests.review_ui.conftest import (
    Stack,
    browser_client,
    claim_next_in_ui,
    csrf_of,
    decide_in_ui,
    sign_in,
    signed_in,
    submit,
    take_next,
)


def _act(client: TestClient, case_id: str, action: str) -> str:
    page = client.get(f"/ui/review/cases/{case_id}")
    response = submit(client, page, f"/ui/review/cases/{case_id}/{action}")
    location: str = response.headers["location"]
    return location


def test_skipping_returns_the_case_and_does_not_offer_it_again(stack: Stack) -> None:
    stack.queue_posts(["Miracle cure: garlic and bleach, share before they delete it!!"])
    client = signed_in(stack, "reviewer")
    case_id = claim_next_in_ui(client)
    assert _act(client, case_id, "skip") == "/ui/review?notice=skipped"
    location = take_next(client)
    assert location == "/ui/review?notice=empty"
    assert "queue is empty" in client.get(location).text


def test_skipping_goes_straight_on_to_the_next_case(stack: Stack) -> None:
    stack.queue_posts(["Miracle cure: garlic and bleach, share before they delete it!!"])
    stack.queue_posts(["5G towers spread the plandemic, the secret microchip truth exposed"])
    client = signed_in(stack, "reviewer")
    first = claim_next_in_ui(client)
    onward = _act(client, first, "skip")
    assert onward.startswith("/ui/review/cases/") and first not in onward, onward
    assert "Here is the next" in client.get(onward).text


def test_an_escalated_case_goes_to_a_senior_reviewer_only(stack: Stack) -> None:
    stack.queue_posts(["5G towers spread the plandemic, the secret microchip truth exposed"])
    first = signed_in(stack, "reviewer")
    case_id = claim_next_in_ui(first)
    assert _act(first, case_id, "escalate") == "/ui/review?notice=escalated"
    other = signed_in(stack, "reviewer")
    assert take_next(other) == "/ui/review?notice=empty"
    senior = signed_in(stack, "senior_reviewer")
    assert claim_next_in_ui(senior) == case_id


def test_a_senior_escalates_to_legal_who_works_the_case_in_the_same_workspace(
    stack: Stack,
) -> None:
    stack.queue_posts(["5G towers spread the plandemic, the secret microchip truth exposed!!"])
    reviewer, senior = browser_client(stack), browser_client(stack)
    sign_in(reviewer, stack.user("reviewer"))
    sign_in(senior, stack.user("senior_reviewer"))
    case_id = claim_next_in_ui(reviewer)
    assert _act(reviewer, case_id, "escalate") == "/ui/review?notice=escalated"
    assert claim_next_in_ui(senior) == case_id
    assert "Escalate to legal" in senior.get(f"/ui/review/cases/{case_id}").text
    assert _act(senior, case_id, "escalate") == "/ui/review?notice=escalated-legal"
    assert "escalated to legal" in senior.get("/ui/review?notice=escalated-legal").text
    assert take_next(senior) == "/ui/review?notice=empty"

    legal = browser_client(stack)
    lawyer = stack.user("legal")
    assert sign_in(legal, lawyer).headers["location"] == "/ui/legal"
    overview = legal.get("/ui/review").text
    assert "Cases escalated to legal" in overview and 'href="/ui/review"' in overview

    def waiting(client: TestClient) -> int:
        counts = re.findall(r'<dd id="depth-\w+">(\d+)</dd>', client.get("/ui/review").text)
        return sum(map(int, counts))

    assert (waiting(reviewer), waiting(legal)) == (0, 1)
    stack.queue_posts(["Miracle cure: garlic and bleach, share before they delete it!!"])
    assert (waiting(reviewer), waiting(legal)) == (1, 1)  # legal: only what was escalated
    assert claim_next_in_ui(legal) == case_id
    case_page = legal.get(f"/ui/review/cases/{case_id}").text
    assert "release-case" in case_page and "escalate-case" not in case_page
    refused = submit(legal, case_page, f"/ui/review/cases/{case_id}/escalate")
    assert refused.status_code == 403 and "last escalation step" in refused.text
    decided = decide_in_ui(
        legal, case_id, "not_misinformation", "no_action", follow_redirects=False
    )
    assert decided.status_code == 303, decided.text
    assert decided.headers["location"].startswith("/ui/review/decisions/")
    with stack.rt.sessions() as session:
        case = session.get(ReviewCase, case_id)
        assert case is not None and case.status == "decided"
        decision = session.scalars(select(Decision).where(Decision.case_id == case_id)).one()
        assert decision.decided_by == lawyer


def test_an_incomplete_label_is_refused_with_the_reason_and_keeps_the_form(stack: Stack) -> None:
    stack.queue_posts(["Bill Gates microchip hoax exposed, share before it is banned!!"])
    client = signed_in(stack, "reviewer")
    case_id = claim_next_in_ui(client)
    response = decide_in_ui(client, case_id, "misleading_context", "label")
    assert response.status_code == 422
    assert "label needs its note" in response.text
    assert 'value="label" data-key="l" checked' in response.text
    with stack.rt.sessions() as session:
        case = session.get(ReviewCase, case_id)
        assert case is not None and case.status == "claimed"


def test_someone_elses_case_page_sends_you_back_to_the_queue(stack: Stack) -> None:
    stack.queue_posts(["Miracle cure exposed!! share before they delete it"])
    owner = signed_in(stack, "reviewer")
    case_id = claim_next_in_ui(owner)
    intruder = signed_in(stack, "reviewer")
    response = intruder.get(f"/ui/review/cases/{case_id}", follow_redirects=False)
    assert response.headers["location"] == "/ui/review?notice=lost"


def test_a_ui_decision_follows_the_runtimes_policy_when_none_is_saved(stack: Stack) -> None:
    """As the API does: a high-reach removal waits for a second reviewer under the runtime's
    policy (here: anything over 100 views), not under the built-in default's 100,000."""
    stack.rt.policy = replace(stack.rt.policy, high_reach_views=100)
    stack.queue_posts(["Miracle cure hoax exposed!! share before"], views=5_000)
    client = signed_in(stack, "reviewer")
    case_id = claim_next_in_ui(client)
    decided = decide_in_ui(client, case_id, "false_claim", "remove")
    assert "held for a second reviewer" in decided.text
    with stack.rt.sessions() as session:
        case = session.get(ReviewCase, case_id)
        assert case is not None and case.stage == "second"


def test_the_queue_filter_takes_only_matching_cases_and_is_kept_for_the_next_key(
    stack: Stack,
) -> None:
    (german,) = stack.queue_posts(
        ["Miracle cure: garlic and bleach, share before they delete it!!"], lang="de"
    )
    (english,) = stack.queue_posts(
        ["5G towers spread the plandemic, the secret microchip truth exposed!!"], lang="en"
    )
    client = signed_in(stack, "reviewer")
    page = client.get("/ui/review").text
    assert '<option value="de">' in page and '<option value="health">' in page
    token = csrf_of(page)

    def take(**form: str) -> str:
        response = client.post(
            "/ui/review/next", data={"csrf_token": token, **form}, follow_redirects=False
        )
        location: str = response.headers["location"]
        return location

    for bad in ({"lang": "<script>"}, {"topic": "astrology"}):
        refused = client.post("/ui/review/next", data={"csrf_token": token, **bad})
        assert refused.status_code == 422 and "Not a filter the queue offers" in refused.text
    assert take(lang="de", topic="elections") == "/ui/review?notice=empty-filtered"
    assert "matches your filter" in client.get("/ui/review?notice=empty-filtered").text
    first = take(lang="de", topic="health").rsplit("/", 1)[-1]
    with stack.rt.sessions() as session:
        case = session.get(ReviewCase, first)
        assert case is not None and case.post_id == german and case.topic == "health"
    assert 'id="case-topic">health' in client.get(f"/ui/review/cases/{first}").text
    assert _act(client, first, "release") == "/ui/review?notice=released"
    overview = client.get("/ui/review").text
    assert '<option value="de" selected>' in overview  # the filter is remembered
    # `n` without a form keeps the filter: the English case is not offered, and the German
    # one just released does not come straight back to whoever released it.
    assert take() == "/ui/review?notice=empty-filtered"
    cleared = take(set_filter="1", lang="", topic="")  # cleared on the overview
    assert cleared.startswith("/ui/review/cases/"), cleared
    other = cleared.rsplit("/", 1)[-1]
    with stack.rt.sessions() as session:
        case = session.get(ReviewCase, other)
        assert case is not None and case.post_id == english
