"""Scoring posts as they arrive: store post and score, log it, hand high-risk posts to routing.

Idempotent by post id: re-sending a post returns the stored result unless its text or the
model version changed, in which case it is re-scored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, Actor, Subject
from audit.service import record
from classifier.interface import Classifier, Prediction
from classifier.thresholds import Band
from core.dispatch import enqueue_after_commit
from pipeline.models import Post, PostStatus, ReviewCase, Score
from pipeline.schemas import PostIn, ReasonOut, ScoreOut

ROUTE_TASK = "pipeline.route_post"


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Existing:
    post: Post
    score: Score


def score_posts(
    session: Session,
    classifier: Classifier,
    posts: Sequence[PostIn],
    actor: Actor,
    *,
    request_id: str | None = None,
    is_drill: bool = False,
) -> list[ScoreOut]:
    existing = _load_existing(session, [p.id for p in posts])
    if not (session.new or session.dirty or session.deleted):
        # End the read-only transaction before the model runs: inference takes a while, and
        # SQLite's writers (BEGIN IMMEDIATE) must not wait on it.
        session.commit()
    fresh = [
        p
        for p in posts
        if (e := existing.get(p.id)) is None
        or e.score.text_sha256 != text_digest(p.text)
        or e.score.model_version != classifier.model_version
    ]
    predictions = _predict(classifier, fresh)
    results: list[ScoreOut] = []
    for post_in in posts:
        prediction = predictions.get(post_in.id)
        if prediction is None:
            results.append(_cached_result(session, existing[post_in.id]))
            continue
        results.append(_store(session, post_in, prediction, actor, request_id, is_drill))
    return results


def _predict(classifier: Classifier, posts: Sequence[PostIn]) -> dict[str, Prediction]:
    """Score every post; explain only those headed for review.

    Reasons cost one model call per occluded phrase, so computing them for the ignore band
    (most traffic) would multiply the cost of scoring; reviewers are who read them.
    """
    scored = dict(
        zip((p.id for p in posts), classifier.predict([p.text for p in posts]), strict=True)
    )
    risky = [p for p in posts if scored[p.id].band is not Band.IGNORE]
    if risky:
        explained = classifier.predict([p.text for p in risky], explain=True)
        scored.update(zip((p.id for p in risky), explained, strict=True))
    return scored


def _load_existing(session: Session, ids: list[str]) -> dict[str, _Existing]:
    posts = {p.id: p for p in session.scalars(select(Post).where(Post.id.in_(ids)))}
    latest: dict[str, Score] = {}
    for score in session.scalars(
        select(Score).where(Score.post_id.in_(list(posts))).order_by(Score.created_at)
    ):
        latest[score.post_id] = score
    return {pid: _Existing(posts[pid], latest[pid]) for pid in posts if pid in latest}


def _store(
    session: Session,
    post_in: PostIn,
    prediction: Prediction,
    actor: Actor,
    request_id: str | None,
    is_drill: bool,
) -> ScoreOut:
    digest = text_digest(post_in.text)
    post = session.get(Post, post_in.id)
    before = None if post is None else {"text_sha256": post.text_sha256, "status": post.status}
    if post is None:
        post = Post(id=post_in.id, status=PostStatus.SCORED, is_drill=is_drill)
        session.add(post)
    post.text = post_in.text
    post.text_sha256 = digest
    post.author_id = post_in.author_id
    post.author_name = post_in.author_name
    post.lang = post_in.lang
    post.region = post_in.region
    post.url = post_in.url
    post.created_at = post_in.created_at
    post.views = post_in.views
    post.shares = post_in.shares
    post.author_followers = post_in.author_followers
    reasons = [{"phrase": r.phrase, "weight": round(r.weight, 4)} for r in prediction.reasons]
    score = Score(
        post_id=post.id,
        text_sha256=digest,
        score=prediction.score,
        band=prediction.band.value,
        model_version=prediction.model_version,
        reasons=reasons,
        flags=list(prediction.flags),
    )
    session.add(score)
    session.flush()
    record(
        session,
        Action.POST_SCORED,
        actor,
        Subject(post_id=post.id),
        model_version=prediction.model_version,
        score=prediction.score,
        before=before,
        after={
            "band": prediction.band.value,
            "text_sha256": digest,
            "flags": list(prediction.flags),
            # the platform's own date for the post: DSA statements' content_date
            "posted_at": post.created_at.isoformat() if post.created_at else None,
        },
        request_id=request_id,
        is_drill=is_drill or post.is_drill,
    )
    if prediction.band is not Band.IGNORE and not _has_live_case(session, post.id):
        enqueue_after_commit(session, ROUTE_TASK, post.id)
    return _result(post, score, case_opened=_will_route(prediction.band), cached=False)


def _will_route(band: Band) -> bool:
    return band is not Band.IGNORE


def _has_live_case(session: Session, post_id: str) -> bool:
    return (
        session.scalar(
            select(ReviewCase.id)
            .where(ReviewCase.post_id == post_id, ReviewCase.status != "decided")
            .limit(1)
        )
        is not None
    )


def _cached_result(session: Session, existing: _Existing) -> ScoreOut:
    has_case = session.scalar(
        select(ReviewCase.id).where(ReviewCase.post_id == existing.post.id).limit(1)
    )
    return _result(existing.post, existing.score, case_opened=has_case is not None, cached=True)


def _result(post: Post, score: Score, *, case_opened: bool, cached: bool) -> ScoreOut:
    return ScoreOut(
        id=post.id,
        score=score.score,
        band=score.band,
        model_version=score.model_version,
        reasons=[
            ReasonOut(phrase=str(r["phrase"]), weight=float(str(r["weight"])))
            for r in score.reasons
        ],
        flags=list(score.flags),
        case_opened=case_opened,
        status=post.status,
        cached=cached,
    )
