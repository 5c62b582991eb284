"""Routing policy: which scored posts go to review, how urgently, and in what order.

One typed, versioned policy object; admins save new versions in the database
(`pipeline/policy_store.py`) and every routing decision records the version it used.

A post's route is decided in this order:
1. its classifier band maps to a level (`band_routes`: ignore, review or urgent);
2. a match to a debunked claim at or above `claim_match_min_similarity` raises it to at least
   `claim_match_route`;
3. a post spreading at `urgent_velocity` or more (see below) is raised from review to urgent.

Priority formula (higher is served first):

    priority = risk_weight[level] * score + reach_weight * log10(1 + reach_velocity)

where reach_velocity is views + 5 * shares per hour since the post was created (at least one
hour), so a fast-spreading post of the same risk outranks a stale one. Urgent always outranks
review because its level weight exceeds what reach can add at realistic velocities.

Optionally (off by default) a near-certain post also gets a temporary reduce-reach action
while it waits for a reviewer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from classifier.thresholds import Band

LEVELS = (Band.IGNORE.value, Band.REVIEW.value, Band.URGENT.value)  # in rising order


@dataclass(frozen=True)
class RoutingPolicy:
    version: str = "2026.11-1"
    risk_weight: dict[str, float] = field(
        default_factory=lambda: {Band.REVIEW.value: 10.0, Band.URGENT.value: 100.0}
    )
    reach_weight: float = 5.0
    sla: dict[str, timedelta] = field(
        default_factory=lambda: {
            Band.REVIEW.value: timedelta(hours=24),
            Band.URGENT.value: timedelta(hours=2),
        }
    )
    high_reach_views: int = 100_000  # removals at or above this need a second reviewer
    second_review_enabled: bool = True
    band_routes: dict[str, str] = field(default_factory=lambda: {lvl: lvl for lvl in LEVELS})
    claim_match_min_similarity: float = 0.85
    claim_match_route: str = Band.URGENT.value
    urgent_velocity: float | None = 50_000.0  # reach per hour that makes a review post urgent
    reduce_reach_pending_review: bool = False
    reduce_reach_min_score: float = 0.97
    reduce_reach_min_similarity: float = 0.95

    def to_body(self) -> dict[str, Any]:
        """The JSON shape stored in the database and shown to admins (version excluded)."""
        return {
            "risk_weight": dict(self.risk_weight),
            "reach_weight": self.reach_weight,
            "sla_hours": {k: v.total_seconds() / 3600 for k, v in self.sla.items()},
            "high_reach_views": self.high_reach_views,
            "second_review_enabled": self.second_review_enabled,
            "band_routes": dict(self.band_routes),
            "claim_match_min_similarity": self.claim_match_min_similarity,
            "claim_match_route": self.claim_match_route,
            "urgent_velocity": self.urgent_velocity,
            "reduce_reach_pending_review": self.reduce_reach_pending_review,
            "reduce_reach_min_score": self.reduce_reach_min_score,
            "reduce_reach_min_similarity": self.reduce_reach_min_similarity,
        }

    @classmethod
    def from_body(cls, body: dict[str, Any], version: str) -> RoutingPolicy:
        """Build from a stored body; the body is validated by `schemas.RoutingPolicyBody`."""
        values = dict(body)
        sla = {k: timedelta(hours=float(v)) for k, v in values.pop("sla_hours").items()}
        return cls(version=version, sla=sla, **values)


@dataclass(frozen=True)
class Reach:
    views: int
    shares: int
    created_at: datetime | None


@dataclass(frozen=True)
class ClaimMatch:
    """The closest debunked claim for a post, as the claim matcher found it."""

    claim_id: str
    similarity: float


@dataclass(frozen=True)
class Route:
    queue: bool
    band: str  # the level the case is queued at (review or urgent); the model band if ignored
    priority: float
    due_at: datetime | None
    policy_version: str
    reduce_reach: bool = False
    rule: str = "band"  # what set the level: band, claim_match or reach


def reach_velocity(reach: Reach, now: datetime) -> float:
    hours = 1.0
    if reach.created_at is not None:
        hours = max(1.0, (now - reach.created_at).total_seconds() / 3600.0)
    return (reach.views + 5 * reach.shares) / hours


def claim_match_from_flags(flags: list[str]) -> ClaimMatch | None:
    """Score flags may carry `claim_match:<claim id>:<similarity>` (set by the claim matcher)."""
    best: ClaimMatch | None = None
    for flag in flags:
        kind, _, rest = flag.partition(":")
        claim_id, _, similarity = rest.rpartition(":")
        if kind != "claim_match" or not claim_id:
            continue
        try:
            match = ClaimMatch(claim_id, float(similarity))
        except ValueError:
            continue
        if best is None or match.similarity > best.similarity:
            best = match
    return best


def _raise_to(level: str, at_least: str) -> str:
    return max(level, at_least, key=LEVELS.index)


def route(
    band: Band,
    score: float,
    reach: Reach,
    now: datetime,
    policy: RoutingPolicy,
    *,
    claim_match: ClaimMatch | None = None,
) -> Route:
    level, rule = policy.band_routes.get(band.value, band.value), "band"
    matched = (
        claim_match is not None and claim_match.similarity >= policy.claim_match_min_similarity
    )
    if matched and _raise_to(level, policy.claim_match_route) != level:
        level, rule = _raise_to(level, policy.claim_match_route), "claim_match"
    velocity = reach_velocity(reach, now)
    fast = policy.urgent_velocity is not None and velocity >= policy.urgent_velocity
    if level == Band.REVIEW.value and fast:
        level, rule = Band.URGENT.value, "reach"
    if level == Band.IGNORE.value:
        return Route(False, band.value, 0.0, None, policy.version, rule=rule)
    priority = policy.risk_weight[level] * score + policy.reach_weight * math.log10(1 + velocity)
    near_certain = score >= policy.reduce_reach_min_score or (
        claim_match is not None and claim_match.similarity >= policy.reduce_reach_min_similarity
    )
    return Route(
        True,
        level,
        round(priority, 6),
        now + policy.sla[level],
        policy.version,
        reduce_reach=policy.reduce_reach_pending_review and near_certain,
        rule=rule,
    )
