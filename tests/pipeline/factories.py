"""Factories: scored posts and their cases, written straight to the database (fast)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from core.actors import Actor, ActorType
from core.clock import utcnow
from core.db import transaction
from pipeline.models import Post, ReviewCase, Score
from pipeline.queue import open_case_for_post
from pipeline.routing import RoutingPolicy


def reviewer(name: str, role: str = "reviewer") -> Actor:
    return Actor(name=name, type=ActorType.HUMAN, roles=(role,))


def add_scored_post(
    session: Session,
    *,
    post_id: str | None = None,
    score: float = 0.7,
    views: int = 10,
    lang: str | None = "en",
    flags: list[str] | None = None,
    text: str | None = None,
) -> Post:
    post = Post(
        id=post_id or f"p-{uuid.uuid4().hex[:10]}",
        text=text or f"claim text {uuid.uuid4().hex[:6]}",
        text_sha256="0" * 64,
        lang=lang,
        views=views,
        shares=0,
        created_at=utcnow() - timedelta(hours=2),
    )
    session.add(post)
    session.flush()
    add_score(session, post, score=score, flags=flags)
    return post


def add_score(
    session: Session,
    post: Post,
    *,
    score: float = 0.7,
    flags: list[str] | None = None,
    triage_band: str | None = None,
    triage_rule: str | None = None,
) -> Score:
    """The falsehood model's verdict on a stored post's text, its band taken from `score`; the
    triage columns stay NULL (a row scored before triage existed) unless given."""
    band = "urgent" if score >= 0.85 else "review" if score >= 0.5 else "ignore"
    row = Score(
        post_id=post.id,
        text_sha256=post.text_sha256,
        score=score,
        band=band,
        model_version="test-model",
        reasons=[],
        flags=flags or [],
        triage_band=triage_band,
        triage_rule=triage_rule,
    )
    session.add(row)
    session.flush()
    return row


def make_case(
    factory: sessionmaker[Session], policy: RoutingPolicy | None = None, **post: object
) -> str:
    with transaction(factory) as session:
        made = add_scored_post(session, **post)  # type: ignore[arg-type]
        case = open_case_for_post(session, made.id, policy or RoutingPolicy())
        assert case is not None
        return case.id


def case(factory: sessionmaker[Session], case_id: str) -> ReviewCase:
    with factory() as session:
        found = session.get(ReviewCase, case_id)
        assert found is not None
        return found


def lease_runs_out(factory: sessionmaker[Session], model: type[object], key: str) -> None:
    """The attempt in flight on row `key` outlived its lease (a hung call): its `next_attempt_at`
    lies in the past, so another attempt may start."""
    with transaction(factory) as session:
        row = session.get(model, key)
        assert row is not None
        row.next_attempt_at = utcnow() - timedelta(seconds=5)  # type: ignore[attr-defined]
