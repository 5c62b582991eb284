"""Routing a post is idempotent: a redelivered route task (a worker killed mid-batch, the
sweeper's re-send) leaves a post already routed alone, whether its case still waits or was
decided, and a post with a removal is never queued and taken down a second time. On the
embedded SQLite database and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from audit.models import AuditEvent
from core.db import transaction
from pipeline import qa
from pipeline.appeals import appeal
from pipeline.decisions import decide
from pipeline.models import (
    CaseStage,
    CaseStatus,
    EnforcementAction,
    Post,
    PostStatus,
    ReviewCase,
)
from pipeline.queue import claim_next
from pipeline.schemas import DecisionAction, DecisionIn, ReasonCode
from pipeline.tasks import route_post, route_posts
from runtime.container import Runtime
from tests.pipeline.factories import add_scored_post, reviewer

ANN, BOB = reviewer("ann"), reviewer("bob")
SEN = reviewer("sen", "senior_reviewer")
REMOVE = DecisionIn(
    reason_code=ReasonCode.FALSE_CLAIM, action=DecisionAction.REMOVE, note="fabricated"
)


def _scored(rt: Runtime, post_id: str) -> str:
    with transaction(rt.sessions) as s:
        return add_scored_post(s, post_id=post_id, score=0.9).id


def _decided(rt: Runtime, post_id: str) -> str:
    """The post routed, claimed by ann and removed: its case's id."""
    case_id = route_post(rt, _scored(rt, post_id))
    assert case_id is not None
    with transaction(rt.sessions) as s:
        held = claim_next(s, ANN)
        assert held is not None and held.id == case_id
        decide(s, case_id, ANN, REMOVE)
    return case_id


def _state(rt: Runtime, post_id: str) -> tuple[list[tuple[str, str]], str, int, int]:
    """The post's cases (stage, status), its status, its actions and its logged events."""
    with rt.sessions() as s:
        cases = s.execute(
            select(ReviewCase.stage, ReviewCase.status)
            .where(ReviewCase.post_id == post_id)
            .order_by(ReviewCase.created_at)
        ).all()
        post = s.get_one(Post, post_id)
        actions = s.scalar(
            select(func.count())
            .select_from(EnforcementAction)
            .where(EnforcementAction.post_id == post_id)
        )
        events = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.post_id == post_id)
        )
        return (
            [(str(a), str(b)) for a, b in cases],
            post.status,
            int(actions or 0),
            int(events or 0),
        )


def test_a_post_routed_twice_keeps_its_one_waiting_case(any_rt: Runtime) -> None:
    post_id = _scored(any_rt, "k-wait")
    first = route_post(any_rt, post_id)
    before = _state(any_rt, post_id)
    assert route_post(any_rt, post_id) == first
    assert _state(any_rt, post_id) == before
    assert before[:2] == ([(CaseStage.REVIEW, CaseStatus.OPEN)], PostStatus.QUEUED)


def test_a_redelivered_route_task_leaves_a_decided_post_alone(any_rt: Runtime) -> None:
    """The worker died after opening the cases; reviewers decided them; the message came back."""
    decided = [_decided(any_rt, f"k-{i}") for i in range(3)]
    before = {f"k-{i}": _state(any_rt, f"k-{i}") for i in range(3)}
    assert before["k-0"][:3] == ([(CaseStage.REVIEW, CaseStatus.DECIDED)], PostStatus.DECIDED, 1)
    assert route_posts(any_rt, "k-0", "k-1", "k-2") == decided
    assert {f"k-{i}": _state(any_rt, f"k-{i}") for i in range(3)} == before
    with any_rt.sessions() as s:
        assert s.scalar(select(ReviewCase.id).where(ReviewCase.status != "decided")) is None
    with transaction(any_rt.sessions) as s:
        assert claim_next(s, BOB) is None, "nothing to review twice"


def test_a_removed_post_is_not_queued_again(any_rt: Runtime) -> None:
    case_id = _decided(any_rt, "k-gone")
    with transaction(any_rt.sessions) as s:
        s.get_one(Post, "k-gone").status = PostStatus.REMOVED  # the takedown confirmed
    before = _state(any_rt, "k-gone")
    assert route_post(any_rt, "k-gone") == case_id
    assert _state(any_rt, "k-gone") == before
    assert before[1] == PostStatus.REMOVED


def test_a_qa_sample_or_an_appeal_does_not_let_routing_open_a_case(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as s:
        qa.set_sampling_fraction(s, 1.0, SEN)
    case_id = _decided(any_rt, "k-qa")
    with transaction(any_rt.sessions) as s:
        appeal(s, "k-qa", reviewer("author"), "it is satire")
    before = _state(any_rt, "k-qa")
    assert [stage for stage, _ in before[0]] == [CaseStage.REVIEW, CaseStage.QA, CaseStage.APPEAL]
    assert route_post(any_rt, "k-qa") == case_id
    assert _state(any_rt, "k-qa") == before


def test_a_post_scored_but_not_yet_routed_is_still_routed(any_rt: Runtime) -> None:
    """A sampled or appealed case elsewhere changes nothing for a post routing never saw."""
    post_id = _scored(any_rt, "k-new")
    case_id = route_post(any_rt, post_id)
    assert case_id is not None
    assert _state(any_rt, post_id)[:2] == ([(CaseStage.REVIEW, CaseStatus.OPEN)], "queued")
