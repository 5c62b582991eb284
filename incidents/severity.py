"""Incident thresholds and the severity grade, in one frozen, typed place.

A narrative becomes an incident when, within `window`, it has at least `min_posts` posts or
its reach velocity reaches `min_velocity`. Its grade comes from four factors, each scored in
points:

    reach points       0-4  log10 steps of total reach (views + 5 * shares): <10k 0, 10k 1,
                            100k 2, 1M 3, 10M+ 4
    velocity points    0-4  reach per hour over the window: <1k 0, 1k 1, 10k 2, 100k 3, 1M+ 4
    sensitivity points 0-3  topic: health, elections, public safety 3; finance 2; general 0
    spread points      0-3  regions reached: 1 -> 0, 2-3 -> 1, 4-9 -> 2, 10+ -> 3

    total >= 10 -> I (particularly serious), >= 7 -> II (serious),
    total >= 4  -> III (relatively serious), else IV (ordinary)

Re-grading only ever raises the grade automatically; lowering it is an admin's call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

from core.topics import Topics, default_topics

GRADE_NAMES = {
    1: "I particularly serious",
    2: "II serious",
    3: "III relatively serious",
    4: "IV ordinary",
}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class ClockSpec:
    name: str
    milestone: str  # the milestone kind that meets it
    within: timedelta
    from_grade: int = 4  # started when the incident reaches this grade or worse


@dataclass(frozen=True)
class IncidentPolicy:
    version: str = "2026.11-1"
    window: timedelta = timedelta(hours=6)
    min_posts: int = 20
    min_velocity: float = 50_000.0  # reach per hour
    grade_cutoffs: tuple[int, int, int] = (10, 7, 4)  # I, II, III
    surge_from_grade: int = 2  # raise queue priority at grade II or worse
    surge_boost: float = 1_000.0
    topics: Topics = field(default_factory=default_topics)
    clocks: tuple[ClockSpec, ...] = (
        ClockSpec("first internal report", "internal_report", timedelta(hours=1), 4),
        ClockSpec("public statement", "public_statement", timedelta(hours=4), 2),
        ClockSpec("first enforcement action", "first_action", timedelta(hours=2), 3),
    )
    # The other types' clocks by type, from the policy store; a type not here runs its built-in
    # clocks (`type_rules.py`).
    type_clocks: dict[str, tuple[ClockSpec, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Signals:
    reach: int
    velocity: float
    topic: str
    regions: int


def log_steps(value: float, start: float, cap: int) -> int:
    """0 below `start`, then one point per power of ten, up to `cap`."""
    if value < start:
        return 0
    return min(cap, 1 + int(math.log10(value / start)))


def spread_points(regions: int) -> int:
    """Regions reached: 1 -> 0, 2-3 -> 1, 4-9 -> 2, 10+ -> 3."""
    if regions >= 10:
        return 3
    return 0 if regions <= 1 else 1 if regions <= 3 else 2


def grade_of(total: int, cutoffs: tuple[int, int, int]) -> int:
    """The grade (1 = I … 4 = IV) a point total reaches under (I, II, III) cutoffs."""
    first, second, third = cutoffs
    if total >= first:
        return 1
    if total >= second:
        return 2
    return 3 if total >= third else 4


def points(signals: Signals, policy: IncidentPolicy) -> dict[str, int]:
    sensitivity = policy.topics.get(signals.topic, (0, ()))[0]
    spread = spread_points(signals.regions)
    return {
        "reach": log_steps(signals.reach, 10_000, 4),
        "velocity": log_steps(signals.velocity, 1_000, 4),
        "sensitivity": sensitivity,
        "spread": spread,
    }


def grade(signals: Signals, policy: IncidentPolicy) -> int:
    return grade_of(sum(points(signals, policy).values()), policy.grade_cutoffs)
