"""The topic taxonomy: sensitive topics, their severity points and the word stems that mark them.

Shared by the review queue (filters, a case's topic) and incident grading, so both agree on
what "health" means; an incident policy may carry its own table in the same shape.
"""

from __future__ import annotations

import re

Topics = dict[str, tuple[int, tuple[str, ...]]]  # topic -> (severity points, word stems)

GENERAL_TOPIC = "general"  # no sensitive topic found


def default_topics() -> Topics:
    return {
        "health": (3, ("vaccin", "covid", "virus", "cure", "pandemic", "5g", "cancer")),
        "elections": (3, ("election", "ballot", "vote", "voting", "polling")),
        "public_safety": (3, ("earthquake", "flood", "evacuat", "shooting", "bomb", "fire")),
        "finance": (2, ("bank", "stock", "crypto", "currency", "inflation")),
    }


def topic_names(topics: Topics | None = None) -> list[str]:
    """Every topic `topic_of` can return."""
    return [*(default_topics() if topics is None else topics), GENERAL_TOPIC]


def topic_of(text: str, topics: Topics | None = None) -> str:
    """The most sensitive topic whose stems start a word of `text`, else `general`."""
    lowered = text.lower()
    best, best_points = GENERAL_TOPIC, 0
    for topic, (points, stems) in (default_topics() if topics is None else topics).items():
        if points > best_points and any(re.search(rf"\b{s}", lowered) for s in stems):
            best, best_points = topic, points
    return best
