"""Scoring posts as they arrive: store post and score, log it, hand high-risk posts to routing.

Each post gets its falsehood score and, when the process has them (`pipeline.signals`), its
language, check-worthiness and claim matches; the triage band (`pipeline.triage`) decides
whether it is routed. A confirmed claim match links the post to the claim and, when the claim
has a published statement, labels it (`claims.intake_links`).

Idempotent by post id: re-sending a post returns the stored result unless its text or the
model version changed, in which case it is re-scored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audit.events import Action, Actor, Subject
from audit.service import record
from classifier.interface import Classifier, Prediction
from classifier.routed import scoring_version
from core.dispatch import enqueue_after_commit
from pipeline.models import Post, PostStatus, ReviewCase, Score
from pipeline.policy_store import active_policy
from pipeline.routing import RoutingPolicy
from pipeline.schemas import ClaimMatchOut, PostIn, ReasonOut, ScoreOut
from pipeline.signals import IntakeSignals, PostSignals
from pipeline.triage import (
    CONFIRMED,
    IGNORE,
    UNSUPPORTED_LANGUAGE,
    Signals,
    match_status,
    stored_matches,
    triage_band,
)

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
    signals: IntakeSignals | None = None,
    policy: RoutingPolicy | None = None,
) -> list[ScoreOut]:
    """`signals` None (the reference scorer's runs): falsehood only, as before triage."""
    policy = policy or active_policy(session)
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
        # a routed classifier names both models; each post is compared with its own
        or e.score.model_version != scoring_version(classifier.model_version, p.text)
    ]
    # The signals' encoder pass is submitted first and runs (on the encoder batcher's thread
    # in the API) while the falsehood model scores the same posts.
    finish = signals.start(fresh) if signals is not None and fresh else None
    predictions = classifier.predict([p.text for p in fresh]) if fresh else []
    measured: list[PostSignals | None] = list(finish()) if finish else [None] * len(fresh)
    triaged = {
        p.id: _Triaged(prediction, sig, *triage_band(_signals(prediction, sig), policy))
        for p, prediction, sig in zip(fresh, predictions, measured, strict=True)
    }
    _explain(classifier, fresh, triaged, policy)
    results: list[ScoreOut] = []
    for post_in in posts:
        done = triaged.get(post_in.id)
        if done is None:
            results.append(_cached_result(session, existing[post_in.id], policy))
            continue
        results.append(_store(session, post_in, done, actor, request_id, is_drill, policy))
    return results


@dataclass
class _Triaged:
    prediction: Prediction
    signals: PostSignals | None
    band: str
    rule: str


def _signals(prediction: Prediction, measured: PostSignals | None) -> Signals:
    if measured is None:
        return Signals(prediction.score, prediction.band.value)
    return Signals(
        prediction.score,
        prediction.band.value,
        measured.checkworthiness,
        measured.matches,
        measured.lang,
    )


def _will_route(band: str, policy: RoutingPolicy) -> bool:
    if band == UNSUPPORTED_LANGUAGE:
        return policy.unsupported_language_route != IGNORE
    return band != IGNORE


def _explain(
    classifier: Classifier,
    posts: Sequence[PostIn],
    triaged: dict[str, _Triaged],
    policy: RoutingPolicy,
) -> None:
    """Explain only the posts headed for review.

    Reasons cost one model call per occluded phrase, so computing them for the ignore band
    (most traffic) would multiply the cost of scoring; reviewers are who read them.
    """
    risky = [p for p in posts if _will_route(triaged[p.id].band, policy)]
    if risky:
        explained = classifier.predict([p.text for p in risky], explain=True)
        for post, prediction in zip(risky, explained, strict=True):
            triaged[post.id].prediction = prediction


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
    triaged: _Triaged,
    actor: Actor,
    request_id: str | None,
    is_drill: bool,
    policy: RoutingPolicy,
) -> ScoreOut:
    prediction, measured = triaged.prediction, triaged.signals
    digest = text_digest(post_in.text)
    post = session.get(Post, post_in.id)
    before = None if post is None else {"text_sha256": post.text_sha256, "status": post.status}
    if post is None:
        post = _insert_post(session, post_in, digest, is_drill)
    post.text = post_in.text
    post.text_sha256 = digest
    post.author_id = post_in.author_id
    post.author_name = post_in.author_name
    post.lang = post_in.lang
    post.region = post_in.region
    post.detected_lang = measured.lang if measured else None
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
        triage_band=triaged.band if measured else None,
        triage_rule=triaged.rule if measured else None,
        checkworthiness=measured.checkworthiness if measured else None,
        claim_matches=[m.to_json() for m in measured.matches] if measured else None,
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
            "band": triaged.band,
            "model_band": prediction.band.value,
            "rule": triaged.rule,
            "detected_lang": post.detected_lang,
            "checkworthiness": score.checkworthiness,
            "claim_matches": score.claim_matches,
            "text_sha256": digest,
            "flags": list(prediction.flags),
            # the platform's own date for the post: DSA statements' content_date
            "posted_at": post.created_at.isoformat() if post.created_at else None,
        },
        request_id=request_id,
        is_drill=is_drill or post.is_drill,
    )
    if measured is not None and not post.is_drill:
        # A drill touches only what it created: no links to (or labels from) real claims.
        _link_confirmed(session, post, measured, policy)
    routed = _will_route(triaged.band, policy)
    if routed and not _has_live_case(session, post.id):
        enqueue_after_commit(session, ROUTE_TASK, post.id)
    return _result(post, score, policy, case_opened=routed, cached=False)


def _insert_post(session: Session, post_in: PostIn, digest: str, is_drill: bool) -> Post:
    """The new post's row; when another replica inserted the same id a moment ago (a platform
    retrying on a second API), its row, so the request scores it again instead of a 500."""
    post = Post(
        id=post_in.id,
        text=post_in.text,
        text_sha256=digest,
        status=PostStatus.SCORED,
        is_drill=is_drill,
    )
    try:
        with session.begin_nested():
            session.add(post)
    except IntegrityError:
        return session.get_one(Post, post_in.id, populate_existing=True)
    return post


def _link_confirmed(
    session: Session, post: Post, measured: PostSignals, policy: RoutingPolicy
) -> None:
    from claims.intake_links import link_and_label  # claims builds on pipeline's models

    for match in measured.matches:
        if match_status(match.similarity, policy) == CONFIRMED:
            link_and_label(session, match.claim_id, post, match.similarity)


def _has_live_case(session: Session, post_id: str) -> bool:
    return (
        session.scalar(
            select(ReviewCase.id)
            .where(ReviewCase.post_id == post_id, ReviewCase.status != "decided")
            .limit(1)
        )
        is not None
    )


def _cached_result(session: Session, existing: _Existing, policy: RoutingPolicy) -> ScoreOut:
    has_case = session.scalar(
        select(ReviewCase.id).where(ReviewCase.post_id == existing.post.id).limit(1)
    )
    return _result(
        existing.post, existing.score, policy, case_opened=has_case is not None, cached=True
    )


def claim_matches_out(score: Score, policy: RoutingPolicy) -> list[ClaimMatchOut]:
    """The stored matches at suggested or above under `policy`, best first."""
    out: list[ClaimMatchOut] = []
    for match in stored_matches(score.claim_matches):
        status = match_status(match.similarity, policy)
        if status is not None:
            out.append(
                ClaimMatchOut(
                    claim_id=match.claim_id,
                    similarity=match.similarity,
                    status=status,
                    verdict=match.verdict,
                )
            )
    return out


def _result(
    post: Post, score: Score, policy: RoutingPolicy, *, case_opened: bool, cached: bool
) -> ScoreOut:
    return ScoreOut(
        id=post.id,
        score=score.score,
        band=score.triage_band or score.band,
        checkworthiness=score.checkworthiness,
        claim_matches=claim_matches_out(score, policy),
        detected_lang=post.detected_lang,
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
