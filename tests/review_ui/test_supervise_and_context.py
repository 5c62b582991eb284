"""Reassigning cases, and the claims and related posts shown beside a case."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.actors import Actor, ActorType
from core.db import transaction
from incidents.service import observe_post
from incidents.severity import IncidentPolicy
from pipeline.claim_links import link_post
from pipeline.models import ReviewCase, Score
from tests.review_ui.conftest import (
    Stack,
    claim_next_in_ui,
    csrf_of,
    signed_in,
    signed_in_as,
    take_next,
)
from tests.statements.helpers import load_fixture_claims, post_linked_to

MATCHER = Actor(name="system:matcher", type=ActorType.SYSTEM)


@pytest.fixture
def stack(module_stack: Stack) -> Stack:
    """One runtime for the module: each test's cases end up held by its own new reviewer."""
    return module_stack


def test_a_senior_reviewer_reassigns_a_case_to_a_reviewer_who_then_holds_it(
    stack: Stack,
) -> None:
    (post_id,) = stack.queue_posts(["5G towers spread the plandemic, the microchip truth"])
    senior = signed_in(stack, "senior_reviewer")
    reviewer, pr = stack.user("reviewer"), stack.user("pr")
    page = senior.get("/ui/supervise")
    assert page.status_code == 200 and f'value="{reviewer}"' in page.text
    with stack.rt.sessions() as session:
        case_id = session.scalars(select(ReviewCase.id).where(ReviewCase.post_id == post_id)).one()
    url, token = f"/ui/supervise/cases/{case_id}/reassign", csrf_of(page.text)

    unknown = senior.post(url, data={"csrf_token": token, "to_username": "nobody"})
    assert unknown.status_code == 422 and "Choose an active reviewer" in unknown.text
    wrong_role = senior.post(url, data={"csrf_token": token, "to_username": pr})
    assert wrong_role.status_code == 409 and "cannot take this case" in wrong_role.text
    done = senior.post(
        url, data={"csrf_token": token, "to_username": reviewer}, follow_redirects=False
    )
    assert done.headers["location"] == "/ui/supervise?notice=assigned"
    assert "Case reassigned" in senior.get(done.headers["location"]).text

    worker = signed_in_as(stack, reviewer)
    assert take_next(worker) == f"/ui/review/cases/{case_id}"
    assert "case.reassigned" in _actions(stack)


def _actions(stack: Stack) -> list[str]:
    from audit.models import AuditEvent

    with stack.rt.sessions() as session:
        return list(session.scalars(select(AuditEvent.action)))


def test_the_case_shows_matched_claims_with_fact_checks_and_posts_repeating_them(
    stack: Stack,
) -> None:
    linked, flagged, *_ = load_fixture_claims(stack.rt)
    (post_id,) = stack.queue_posts(
        ["Miracle cure: garlic and bleach kill the virus, share before they delete it!!"]
    )
    other_id = post_linked_to(stack.rt, linked.id, "garlic and bleach cure it, they hide it")
    with transaction(stack.rt.sessions) as session:
        link_post(session, linked.id, post_id, MATCHER, similarity=0.93)
        score = session.scalars(select(Score).where(Score.post_id == post_id)).one()
        score.flags = [*score.flags, f"claim_match:{flagged.id}:0.97"]
    client = signed_in(stack, "reviewer")
    page = client.get(f"/ui/review/cases/{claim_next_in_ui(client)}").text
    claims = page[page.index('id="matched-claims"') : page.index('id="related-posts"')]
    assert linked.text[:40] in claims and flagged.text[:40] in claims
    assert claims.index(flagged.text[:40]) < claims.index(linked.text[:40]), "best match first"
    assert "similarity 0.97" in claims and "similarity 0.93" in claims
    if linked.source_url:
        assert linked.source_url in claims
    related = page[page.index('id="related-posts"') :]
    assert "repeating the same claim" in related and other_id in related
    assert "not queued" in related


def test_the_case_shows_other_posts_of_its_incident(stack: Stack) -> None:
    texts = [f"Bleach cure hoax variant {i}, share before they delete it!!" for i in range(3)]
    post_ids = stack.queue_posts(texts, views=500)
    policy = IncidentPolicy(min_posts=3)
    with transaction(stack.rt.sessions) as session:
        for post_id in post_ids:
            incident = observe_post(
                session, post_id, cluster_key="dup:bleach", title="Bleach cure", policy=policy
            )
        assert incident is not None
    client = signed_in(stack, "reviewer")
    page = client.get(f"/ui/review/cases/{claim_next_in_ui(client)}").text
    related = page[page.index('id="related-posts"') :]
    assert 'id="related-incident">Bleach cure<' in related
    assert sum(p in related for p in post_ids) == 2, "the two other posts, not the case's own"
