"""The admin policy preview counts posts by their stored triage signals under a candidate."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from claims.matching.model import shipped_thresholds
from core.clock import utcnow
from core.db import transaction
from pipeline.models import Score
from pipeline.policy_store import preview
from pipeline.routing import RoutingPolicy
from pipeline.triage import MatchInfo
from runtime.container import Runtime
from tests.pipeline.factories import add_scored_post

SUGGEST, CONFIRM = shipped_thresholds().suggest, shipped_thresholds().confirmed


def _signals(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        bakery = add_scored_post(session, score=0.97)  # urgent by falsehood alone
        repeat = add_scored_post(session, score=0.2)
        spanish = add_scored_post(session, score=0.9, lang="es")  # no Spanish model
        for post, cw, matches, lang in (
            (bakery, 0.05, [], "en"),
            (repeat, 0.3, [MatchInfo("c1", CONFIRM + 0.05, "false").to_json()], "en"),
            (spanish, 0.8, [], "es"),
        ):
            post.detected_lang = lang
            score = session.scalars(select(Score).where(Score.post_id == post.id)).one()
            score.checkworthiness = cw
            score.claim_matches = matches


def test_preview_applies_the_candidates_triage_thresholds_to_stored_signals(rt: Runtime) -> None:
    _signals(rt)
    since = utcnow() - timedelta(hours=1)
    with rt.sessions() as session:
        current = preview(session, RoutingPolicy(), since)
        no_gate = preview(
            session,
            RoutingPolicy(checkworthiness_min=0.0, unsupported_language_route="review"),
            since,
        )
        strict = preview(session, RoutingPolicy(claim_match_min_similarity=0.99), since)
    assert (current["posts"], current["urgent"], current["review"]) == (3, 1, 0)
    assert current["not_checkworthy"] == 1 and current["claim_matched"] == 1
    assert current["unsupported_language"] == 1
    # the bakery post is lowered to review (below checkworthiness_urgent_min), not ignored
    assert (no_gate["urgent"], no_gate["review"], no_gate["not_checkworthy"]) == (1, 2, 0)
    # only suggested now: shown to reviewers, but it raises nothing (the falsehood band ignores)
    assert (strict["to_review"], strict["claim_matched"]) == (0, 1)


def test_preview_leaves_drill_posts_out(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        add_scored_post(session, score=0.97)
        for _ in range(3):
            add_scored_post(session, score=0.97).is_drill = True
    with rt.sessions() as session:
        counted = preview(session, RoutingPolicy(), utcnow() - timedelta(hours=1))
    assert counted["posts"] == 1
