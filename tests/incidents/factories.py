"""Posts for incident tests: a wave of one narrative mixed into unrelated background posts."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.clock import utcnow
from pipeline.models import Post

WAVE_CLAIM = (
    "the new vaccine contains microchips that track your location and the government "
    "is hiding it from everyone"
)
WAVE_TEMPLATES = (
    "BREAKING: " + WAVE_CLAIM + " {n}",
    WAVE_CLAIM + "!! share before they delete {n}",
    "they admit it: " + WAVE_CLAIM + " #wakeup {n}",
)
VOCAB = [
    "football",
    "recipe",
    "weather",
    "concert",
    "garden",
    "train",
    "holiday",
    "movie",
    "coffee",
    "river",
    "morning",
    "city",
    "market",
    "bicycle",
    "painting",
    "novel",
    "guitar",
    "bakery",
    "festival",
    "museum",
    "island",
    "mountain",
    "sunset",
    "kitten",
    "puzzle",
    "dinner",
    "school",
    "office",
    "meeting",
    "project",
    "camera",
    "phone",
    "winter",
    "summer",
    "lake",
]


def add_post(
    session: Session,
    post_id: str,
    text: str,
    *,
    views: int = 100,
    shares: int = 0,
    lang: str | None = "en",
    received_at: datetime | None = None,
    is_drill: bool = False,
) -> Post:
    post = Post(
        id=post_id,
        text=text,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        views=views,
        shares=shares,
        lang=lang,
        is_drill=is_drill,
        received_at=received_at or utcnow(),
    )
    session.add(post)
    session.flush()
    return post


def background_text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(12)) + f" {n}"


def add_wave(
    session: Session,
    *,
    wave: int,
    background: int,
    views: int = 5_000,
    regions: tuple[str, ...] = ("en", "de", "fr", "es"),
    start: datetime | None = None,
) -> tuple[list[str], list[str]]:
    """Interleave `wave` near-duplicate posts with `background` unrelated ones."""
    rng = random.Random(7)
    start = start or utcnow() - timedelta(minutes=30)
    wave_ids, background_ids = [], []
    kinds = ["w"] * wave + ["b"] * background
    rng.shuffle(kinds)
    for i, kind in enumerate(kinds):
        at = start + timedelta(seconds=i)
        if kind == "w":
            text = WAVE_TEMPLATES[i % len(WAVE_TEMPLATES)].format(n=i)
            add_post(
                session,
                f"w{i}",
                text,
                views=views,
                shares=views // 50,
                lang=regions[i % len(regions)],
                received_at=at,
            )
            wave_ids.append(f"w{i}")
        else:
            add_post(session, f"b{i}", background_text(rng, i), received_at=at)
            background_ids.append(f"b{i}")
    return wave_ids, background_ids
