"""Routing policy: levels from band, claim match and reach; priority order; stored shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from classifier.thresholds import Band
from core.clock import utcnow
from pipeline.routing import Reach, Route, RoutingPolicy
from pipeline.routing import route as route_signals
from pipeline.schemas import RoutingPolicyBody
from pipeline.triage import MatchInfo, Signals, flag_matches

NOW = utcnow()
QUIET = Reach(views=10, shares=0, created_at=NOW - timedelta(hours=5))


def route(
    band: Band,
    score: float,
    reach: Reach,
    now: object,
    policy: RoutingPolicy,
    *,
    claim_match: MatchInfo | None = None,
) -> Route:
    """Falsehood band and score, and optionally a match to a false claim, as signals."""
    matches = () if claim_match is None else (claim_match,)
    signals = Signals(score, band.value, matches=matches)
    return route_signals(signals, reach, NOW, policy)


def test_ignore_band_is_not_queued_and_review_gets_its_sla() -> None:
    policy = RoutingPolicy()
    assert route(Band.IGNORE, 0.1, QUIET, NOW, policy).queue is False
    routed = route(Band.REVIEW, 0.6, QUIET, NOW, policy)
    assert routed.queue and routed.band == "review"
    assert routed.due_at == NOW + timedelta(hours=24)
    assert routed.policy_version == policy.version


def test_a_claim_match_raises_a_review_post_to_urgent() -> None:
    routed = route(
        Band.REVIEW, 0.6, QUIET, NOW, RoutingPolicy(), claim_match=MatchInfo("c1", 0.9, "false")
    )
    assert (routed.band, routed.rule) == ("urgent", "claim_match")
    weak = route(
        Band.REVIEW, 0.6, QUIET, NOW, RoutingPolicy(), claim_match=MatchInfo("c1", 0.5, "false")
    )
    assert weak.band == "review"


def test_an_ignored_post_matching_a_debunked_claim_is_still_queued() -> None:
    routed = route(
        Band.IGNORE, 0.2, QUIET, NOW, RoutingPolicy(), claim_match=MatchInfo("c", 0.99, "false")
    )
    assert routed.queue and routed.band == "urgent"


def test_fast_spreading_review_post_becomes_urgent_and_outranks_a_slow_one() -> None:
    fast = Reach(views=400_000, shares=1000, created_at=NOW - timedelta(hours=2))
    policy = RoutingPolicy()
    fast_route = route(Band.REVIEW, 0.6, fast, NOW, policy)
    slow_route = route(Band.REVIEW, 0.6, QUIET, NOW, policy)
    assert (fast_route.band, fast_route.rule) == ("urgent", "reach")
    assert fast_route.priority > slow_route.priority
    assert route(Band.URGENT, 0.86, QUIET, NOW, policy).priority > slow_route.priority


def test_reduce_reach_pending_review_is_off_by_default_and_only_for_near_certain() -> None:
    assert route(Band.URGENT, 0.99, QUIET, NOW, RoutingPolicy()).reduce_reach is False
    on = RoutingPolicy(reduce_reach_pending_review=True)
    assert route(Band.URGENT, 0.99, QUIET, NOW, on).reduce_reach is True
    assert route(Band.URGENT, 0.9, QUIET, NOW, on).reduce_reach is False


def test_legacy_claim_match_flags_read_as_debunked_matches() -> None:
    flags = ["truncated", "claim_match:vax-1:0.81", "claim_match:vax-2:0.93", "claim_match:x:bad"]
    expected = [MatchInfo("vax-1", 0.81, "false"), MatchInfo("vax-2", 0.93, "false")]
    assert flag_matches(flags) == expected
    assert flag_matches(["ood", "claim_match::0.9"]) == []


def test_policy_body_round_trips_and_validates() -> None:
    policy = RoutingPolicy(high_reach_views=5, urgent_velocity=None)
    body = RoutingPolicyBody.model_validate(policy.to_body())
    again = RoutingPolicy.from_body(body.model_dump(), "v9")
    assert again.to_body() == policy.to_body() and again.version == "v9"
    bad = policy.to_body() | {"band_routes": {"ignore": "ignore", "review": "delete"}}
    with pytest.raises(ValidationError, match="band_routes"):
        RoutingPolicyBody.model_validate(bad)
    with pytest.raises(ValidationError, match="sla_hours"):
        RoutingPolicyBody.model_validate(
            policy.to_body() | {"sla_hours": {"review": 0, "urgent": 1}}
        )
