"""Scoring posts as they arrive: store post and score, log it, hand high-risk posts to routing.

Each post gets its falsehood score and, when the process has them (`pipeline.signals`), its
language, check-worthiness and claim matches; the triage band (`pipeline.triage`) decides
whether it is routed. A confirmed claim match links the post to the claim and, when the claim
has a published statement, labels it (`pipeline.claim_links`).

Idempotent by post id: re-sending a post returns the stored result unless its text or the
model version changed, in which case it is re-scored; what a re-sent id may change (its
tenant, a judged post's text, its reach) is `pipeline.resend`'s rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from classifier.interface import Classifier, Prediction
from classifier.serving.routed import scoring_version
from core.actors import Actor
from core.dispatch import enqueue_after_commit
from pipeline.claim_links import IntakeLinks
from pipeline.models import Post, PostStatus, Score
from pipeline.policy_store import active_policy
from pipeline.repository.cases import post_has_case, posts_with_undecided_case
from pipeline.repository.posts import posts_by_ids, scores_oldest_first
from pipeline.resend import refuse_judged_edits, refuse_other_tenant, update_reach
from pipeline.routing import RoutingPolicy
from pipeline.schemas import ClaimMatchOut, PostIn, ReasonOut, ScoreOut
from pipeline.signals import IntakeSignals, PostSignals
from pipeline.triage import (
    CONFIRMED,
    IGNORE,
    UNSUPPORTED_LANGUAGE,
    MatchInfo,
    Signals,
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
    stored = posts_by_ids(session, [p.id for p in posts])
    refuse_other_tenant(stored, is_drill)
    # Before the model runs, so a refused edit costs no inference; checked again, locked, when
    # the rows are written (`_post_rows`).
    refuse_judged_edits(session, _edits(stored, posts), lock=False)
    existing = _load_existing(session, stored)
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
    rows = _post_rows(session, fresh, triaged, is_drill)
    live = _live_cases(session, [p.id for p in fresh if _will_route(triaged[p.id].band, policy)])
    links = None if is_drill else _links(session, triaged, policy)
    results: list[ScoreOut] = []
    for post_in in posts:
        done = triaged.get(post_in.id)
        if done is None:
            known = existing[post_in.id]
            update_reach(session, known.post, known.score, post_in, policy, actor, request_id)
            results.append(_cached_result(session, known, policy))
            continue
        post, before = rows[post_in.id]
        results.append(
            _store(session, post, before, done, actor, request_id, is_drill, policy, live, links)
        )
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


def _load_existing(session: Session, stored: Sequence[Post]) -> dict[str, _Existing]:
    posts = {p.id: p for p in stored}
    latest: dict[str, Score] = {}
    for score in scores_oldest_first(session, list(posts)):
        latest[score.post_id] = score
    return {pid: _Existing(posts[pid], latest[pid]) for pid in posts if pid in latest}


def _post_rows(
    session: Session, fresh: Sequence[PostIn], triaged: dict[str, _Triaged], is_drill: bool
) -> dict[str, tuple[Post, dict[str, str] | None]]:
    """Each fresh post's row with what the platform sent (the new ones inserted together, in
    one statement), and its digest and status before, for the log (None when new). Read again
    after the model ran: a row another request wrote meanwhile is held to the same rules."""
    found = {p.id: p for p in posts_by_ids(session, [p.id for p in fresh])}
    refuse_other_tenant(found.values(), is_drill)
    refuse_judged_edits(session, _edits(found.values(), fresh))
    rows: dict[str, tuple[Post, dict[str, str] | None]] = {
        pid: (post, {"text_sha256": post.text_sha256, "status": post.status})
        for pid, post in found.items()
    }
    for post_in in fresh:
        if post_in.id in found:
            _set_fields(found[post_in.id], post_in, triaged[post_in.id].signals)
    new = [p for p in fresh if p.id not in found]
    made = [
        _set_fields(
            Post(id=p.id, status=PostStatus.SCORED, is_drill=is_drill), p, triaged[p.id].signals
        )
        for p in new
    ]
    try:
        if made:
            with session.begin_nested():
                session.add_all(made)
    except IntegrityError:  # another replica inserted one of them a moment ago: one by one
        made = [
            _set_fields(
                _insert_post(session, p, text_digest(p.text), is_drill), p, triaged[p.id].signals
            )
            for p in new
        ]
    rows.update((post.id, (post, None)) for post in made)
    return rows


def _edits(stored: Iterable[Post], sent: Sequence[PostIn]) -> list[Post]:
    """The stored posts that `sent` gives a different text."""
    texts = {p.id: p.text for p in sent}
    return [p for p in stored if p.id in texts and p.text_sha256 != text_digest(texts[p.id])]


def _set_fields(post: Post, post_in: PostIn, measured: PostSignals | None) -> Post:
    post.text = post_in.text
    post.text_sha256 = text_digest(post_in.text)
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
    return post


def _store(
    session: Session,
    post: Post,
    before: dict[str, str] | None,
    triaged: _Triaged,
    actor: Actor,
    request_id: str | None,
    is_drill: bool,
    policy: RoutingPolicy,
    live: set[str],
    links: IntakeLinks | None,
) -> ScoreOut:
    prediction, measured = triaged.prediction, triaged.signals
    digest = post.text_sha256
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
    if links is not None and not post.is_drill:
        # A drill touches only what it created: no links to (or labels from) real claims.
        for match in _confirmed(measured, policy):
            links.link(match.claim_id, post, match.similarity)
    routed = _will_route(triaged.band, policy)
    if routed and post.id not in live:
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
        theirs = session.get_one(Post, post_in.id, populate_existing=True)
        refuse_other_tenant([theirs], is_drill)
        return theirs
    return post


def _confirmed(measured: PostSignals | None, policy: RoutingPolicy) -> list[MatchInfo]:
    if measured is None:
        return []
    return [m for m in measured.matches if m.status(policy) == CONFIRMED]


def _links(
    session: Session, triaged: dict[str, _Triaged], policy: RoutingPolicy
) -> IntakeLinks | None:
    """What links and labels this request's confirmed matches (None when it has none)."""
    ids = {m.claim_id for t in triaged.values() for m in _confirmed(t.signals, policy)}
    return IntakeLinks(session, ids) if ids else None


def _live_cases(session: Session, post_ids: list[str]) -> set[str]:
    """Which of these posts already have an undecided case (one query)."""
    if not post_ids:
        return set()
    return posts_with_undecided_case(session, post_ids)


def _cached_result(session: Session, existing: _Existing, policy: RoutingPolicy) -> ScoreOut:
    has_case = post_has_case(session, existing.post.id)
    return _result(existing.post, existing.score, policy, case_opened=has_case, cached=True)


def claim_matches_out(score: Score, policy: RoutingPolicy) -> list[ClaimMatchOut]:
    """The stored matches at suggested or above under `policy`, best first."""
    out: list[ClaimMatchOut] = []
    for match in stored_matches(score.claim_matches):
        status = match.status(policy)
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
