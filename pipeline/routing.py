"""Routing policy: which scored posts go to review, how urgently, and in what order.

One typed, versioned policy object; admins save new versions in the database
(`pipeline/policy_store.py`) and every routing decision records the version it used.

A post's triage band (`pipeline/triage.py:triage_band`, stored on its score at intake and
recomputed with the active policy when it is routed or previewed) is decided in this order:
1. language: a post whose detected language has no falsehood model (`classifier/language.py`;
   today anything but English and Chinese) is `unsupported_language`, whatever another
   language's model says; it
   is queued at `unsupported_language_route` (default ignore: not queued);
2. a match to a false or misleading library claim at or above `claim_match_min_similarity`
   (the matcher's fused score) and `claim_match_min_dense` (its score without BM25, which does
   not grow in a small library; "confirmed", defaults the shipped matcher's) raises the
   falsehood model's band (mapped through `band_routes`) to at least `claim_match_route`
   (default urgent);
3. a post with no match at or above `claim_match_suggest_similarity` ("suggested") whose
   check-worthiness is below `checkworthiness_min` is ignored however its falsehood score
   reads: it makes no claim a fact-checker could check (in Chinese a suggested match does not
   keep it: that matcher is not fine-tuned, `classifier/language.py`); with or without one,
   below `checkworthiness_urgent_min` an urgent post is lowered to review; so is any urgent
   post in a language whose check-worthiness head gates only (Chinese,
   `models/checkworthiness-zh-*`, `classifier/language.py`);
4. otherwise the falsehood model's band, through `band_routes`;
then routing adds:
5. a post spreading at `urgent_velocity` or more (see below) is raised from review to urgent.
A signal that was not measured (NULL on rows scored before triage, or no check-worthiness
model loaded) gates nothing.

Priority formula (higher is served first):

    priority = risk_weight[level] * risk + reach_weight * log10(1 + reach_velocity)
    risk = score * (0.5 + 0.5 * checkworthiness), at least the confirmed match's similarity

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
from typing import TYPE_CHECKING, Any

from claims.matching.model import shipped_thresholds
from classifier.thresholds import Band
from pipeline.triage import (
    LEVELS,
    UNSUPPORTED_LANGUAGE,
    Signals,
    best_debunked,
    risk,
    signals_of,
    triage_band,
)

if TYPE_CHECKING:
    from pipeline.models import Post, Score

# Chosen on dev data only (python -m pipeline.triage_thresholds; the model card, "Triage").
CHECKWORTHINESS_MIN = 0.28  # the head's operating point; mean dev recall 0.69, precision 0.67
CHECKWORTHINESS_URGENT_MIN = 0.42  # mean dev precision 0.75 (recall 0.59)


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
    # the claim matcher's fused score: confirmed at or above min_similarity, suggested above
    # suggest_similarity (defaults: the shipped matcher's thresholds, matcher.json)
    claim_match_min_similarity: float = field(
        default_factory=lambda: shipped_thresholds().confirmed
    )
    claim_match_suggest_similarity: float = field(
        default_factory=lambda: shipped_thresholds().suggest
    )
    # A confirmed match must also reach this on the matcher's dense score (None: no condition)
    claim_match_min_dense: float | None = field(
        default_factory=lambda: shipped_thresholds().confirmed_dense
    )
    claim_match_route: str = Band.URGENT.value
    checkworthiness_min: float = CHECKWORTHINESS_MIN
    checkworthiness_urgent_min: float = CHECKWORTHINESS_URGENT_MIN
    unsupported_language_route: str = Band.IGNORE.value
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
            "claim_match_suggest_similarity": self.claim_match_suggest_similarity,
            "claim_match_min_dense": self.claim_match_min_dense,
            "claim_match_route": self.claim_match_route,
            "checkworthiness_min": self.checkworthiness_min,
            "checkworthiness_urgent_min": self.checkworthiness_urgent_min,
            "unsupported_language_route": self.unsupported_language_route,
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
    """How far a post has spread so far; with its age this gives the velocity that can make a
    case urgent."""

    views: int
    shares: int
    created_at: datetime | None


@dataclass(frozen=True)
class Route:
    """Where routing sends a scored post: whether a review case is opened, at which level and
    priority, by when it is due, and whether its reach is reduced while it waits."""

    queue: bool
    band: str  # the level the case is queued at (review or urgent); the model band if ignored
    priority: float
    due_at: datetime | None
    policy_version: str
    reduce_reach: bool = False
    # what set the level: band, claim_match, reach, not_checkworthy, checkworthiness, language
    rule: str = "band"
    triage_band: str = ""  # the band before reach and the unsupported-language route
    claim_id: str | None = None  # the closest debunked claim at suggested or above


def reach_velocity(reach: Reach, now: datetime) -> float:
    hours = 1.0
    if reach.created_at is not None:
        hours = max(1.0, (now - reach.created_at).total_seconds() / 3600.0)
    return (reach.views + 5 * reach.shares) / hours


def reach_priority(velocity: float, policy: RoutingPolicy) -> float:
    """What reach adds to a case's priority: `reach_weight * log10(1 + reach_velocity)`."""
    return policy.reach_weight * math.log10(1 + velocity)


def routed_bands(policy: RoutingPolicy) -> list[str]:
    """Triage bands intake hands to routing under `policy`."""
    bands = [Band.REVIEW.value, Band.URGENT.value]
    if policy.unsupported_language_route != Band.IGNORE.value:
        bands.append(UNSUPPORTED_LANGUAGE)
    return bands


def route(signals: Signals, reach: Reach, now: datetime, policy: RoutingPolicy) -> Route:
    band, rule = triage_band(signals, policy)
    level = policy.unsupported_language_route if band == UNSUPPORTED_LANGUAGE else band
    velocity = reach_velocity(reach, now)
    fast = policy.urgent_velocity is not None and velocity >= policy.urgent_velocity
    if level == Band.REVIEW.value and fast:
        level, rule = Band.URGENT.value, "reach"
    debunked = best_debunked(signals.matches)
    claim_id = None
    if debunked is not None and debunked.status(policy) is not None:
        claim_id = debunked.claim_id
    if level == Band.IGNORE.value:
        return Route(
            False, band, 0.0, None, policy.version, rule=rule, triage_band=band, claim_id=claim_id
        )
    priority = policy.risk_weight[level] * risk(signals, policy) + reach_priority(velocity, policy)
    near_certain = signals.score >= policy.reduce_reach_min_score or (
        debunked is not None and debunked.similarity >= policy.reduce_reach_min_similarity
    )
    return Route(
        True,
        level,
        round(priority, 6),
        now + policy.sla[level],
        policy.version,
        reduce_reach=policy.reduce_reach_pending_review and near_certain,
        rule=rule,
        triage_band=band,
        claim_id=claim_id,
    )


def route_stored(post: Post, score: Score, now: datetime, policy: RoutingPolicy) -> Route:
    """Route a stored post by its stored signals."""
    signals = signals_of(score, post.detected_lang)
    return route(signals, Reach(post.views, post.shares, post.created_at), now, policy)
