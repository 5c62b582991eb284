"""The one place where score bands are defined; the API, pipeline and UI all read it.

A model directory ships its own `thresholds.json` (chosen on dev to the policy in its card);
`Thresholds.default()` is only for the reference scorer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from classifier.io import read_json, write_json


class Band(enum.StrEnum):
    """Where a score sends a post: nowhere, the review queue, or the front of it (see `Thresholds`)."""

    IGNORE = "ignore"
    REVIEW = "review"
    URGENT = "urgent"


@dataclass(frozen=True)
class Thresholds:
    """Scores at or above `review` go to review; at or above `urgent` to urgent review."""

    review: float
    urgent: float
    policy: str = "reference defaults"

    def __post_init__(self) -> None:
        if not 0.0 <= self.review <= self.urgent <= 1.0:
            raise ValueError(f"need 0 <= review <= urgent <= 1, got {self.review}, {self.urgent}")

    def band_for(self, score: float) -> Band:
        if score >= self.urgent:
            return Band.URGENT
        if score >= self.review:
            return Band.REVIEW
        return Band.IGNORE

    @classmethod
    def default(cls) -> Thresholds:
        return cls(review=0.5, urgent=0.85)

    @classmethod
    def load(cls, path: Path) -> Thresholds:
        raw = read_json(path)
        return cls(float(raw["review"]), float(raw["urgent"]), str(raw.get("policy", "")))

    def dump(self, path: Path) -> None:
        data = {"review": self.review, "urgent": self.urgent, "policy": self.policy}
        write_json(path, data)
