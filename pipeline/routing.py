"""Routing policy: which scored posts go to review, how urgently, and in what order.

One typed, versioned policy object. Priority formula (higher is served first):

    priority = risk_weight[band] * score + reach_weight * log10(1 + reach_velocity)

where reach_velocity is views + 5 * shares per hour since the post was created (at least one
hour), so a fast-spreading post of the same risk outranks a stale one. Urgent always outranks
review because its band weight exceeds what reach can add at realistic velocities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from classifier.thresholds import Band


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
    high_reach_views: int = 100_000  # removals above this need a second reviewer


@dataclass(frozen=True)
class Reach:
    views: int
    shares: int
    created_at: datetime | None


@dataclass(frozen=True)
class Route:
    queue: bool
    band: str
    priority: float
    due_at: datetime | None
    policy_version: str


def reach_velocity(reach: Reach, now: datetime) -> float:
    hours = 1.0
    if reach.created_at is not None:
        hours = max(1.0, (now - reach.created_at).total_seconds() / 3600.0)
    return (reach.views + 5 * reach.shares) / hours


def route(band: Band, score: float, reach: Reach, now: datetime, policy: RoutingPolicy) -> Route:
    if band is Band.IGNORE:
        return Route(False, band.value, 0.0, None, policy.version)
    velocity = reach_velocity(reach, now)
    priority = policy.risk_weight[band.value] * score + policy.reach_weight * math.log10(
        1 + velocity
    )
    return Route(True, band.value, round(priority, 6), now + policy.sla[band.value], policy.version)
