"""A retired claim is kept for the record but no longer matched: the case page does not offer
it among the post's matched debunked claims, nor relate posts through it."""

from __future__ import annotations

from sqlalchemy import select

from claims.service import retire_claim
from core.actors import Actor, ActorType
from core.db import transaction
from pipeline.claim_links import link_post
from pipeline.models import Score
from tests.conftest import ADMIN
from tests.review_ui.conftest import Stack, claim_next_in_ui, signed_in
from tests.statements.helpers import load_fixture_claims, post_linked_to

HOAX = "Miracle cure: garlic and bleach kill the virus, share before they delete it!!"
MATCHER = Actor(name="system:matcher", type=ActorType.SYSTEM)


def test_the_case_page_does_not_offer_a_retired_claim_as_a_match(stack: Stack) -> None:
    live, retired, *_ = load_fixture_claims(stack.rt)
    with transaction(stack.rt.sessions) as session:
        retire_claim(session, retired.id, "the fact-check was withdrawn", ADMIN)
    (post_id,) = stack.queue_posts([HOAX])
    repeating = post_linked_to(stack.rt, retired.id, "garlic and bleach cure it, they hide it")
    with transaction(stack.rt.sessions) as session:
        for claim, similarity in ((live, 0.91), (retired, 0.95)):  # links name it still
            link_post(session, claim.id, post_id, MATCHER, similarity=similarity)
        score = session.scalars(select(Score).where(Score.post_id == post_id)).one()
        score.flags = [*score.flags, f"claim_match:{retired.id}:0.97"]

    client = signed_in(stack, "reviewer")
    page = client.get(f"/ui/review/cases/{claim_next_in_ui(client)}").text
    claims = page[page.index('id="matched-claims"') : page.index('id="related-posts"')]
    assert live.text[:40] in claims, "a live claim is still offered"
    assert retired.text[:40] not in claims
    assert "similarity 0.97" not in claims and "similarity 0.95" not in claims
    related = page[page.index('id="related-posts"') :]
    assert repeating not in related, "no post is related through a retired claim"
