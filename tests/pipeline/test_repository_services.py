"""The repository queries the pipeline's own services use (queue, intake, appeals, corrections,
the sweeper, the policy store), on SQLite and on PostgreSQL: what each finds and what it leaves
out."""

from __future__ import annotations

import uuid
from datetime import timedelta

from core.clock import utcnow
from core.db import transaction
from pipeline.models import (
    ActionStatus,
    CaseStage,
    CaseStatus,
    Decision,
    EnforcementAction,
    PostStatus,
    StoredRoutingPolicy,
)
from pipeline.queue import open_case_for_post
from pipeline.repository import actions, cases, decisions, policies, posts
from pipeline.routing import RoutingPolicy
from runtime.container import Runtime
from tests.pipeline.factories import add_scored_post

NOW = utcnow()


def test_open_case_of_post_skips_decided_cases_and_qa_samples(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        post = add_scored_post(session, score=0.7)
        case = open_case_for_post(session, post.id, RoutingPolicy())
        assert case is not None
        assert cases.open_case_of_post(session, post.id) is case
        assert cases.posts_with_undecided_case(session, [post.id, "p-none"]) == {post.id}
        case.stage = CaseStage.QA
        session.flush()
        assert cases.open_case_of_post(session, post.id) is None
        assert cases.posts_with_undecided_case(session, [post.id]) == {post.id}
        case.status = CaseStatus.DECIDED
        session.flush()
        assert cases.posts_with_undecided_case(session, [post.id]) == set()
        assert cases.post_has_case(session, post.id)
        assert not cases.post_has_case(session, add_scored_post(session).id)


def test_lock_expired_leases_returns_only_claims_past_their_lease(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        found = []
        for lease_left in (timedelta(minutes=-1), timedelta(minutes=5)):
            case = open_case_for_post(session, add_scored_post(session).id, RoutingPolicy())
            assert case is not None
            case.status, case.claimed_by = CaseStatus.CLAIMED, "ann"
            case.lease_expires_at = NOW + lease_left
            found.append(case)
        session.flush()
        assert list(cases.lock_expired_leases(session, NOW, 10)) == [found[0]]
        assert list(cases.lock_expired_leases(session, NOW, 0)) == []


def test_decision_lookups_by_reviewer_case_and_time(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        post = add_scored_post(session)
        case = open_case_for_post(session, post.id, RoutingPolicy())
        assert case is not None
        rows = [
            Decision(
                case_id=case.id,
                post_id=post.id,
                decided_by=who,
                decider_type="human",
                reason_code="false_claim",
                action=action,
                claim_id=claim,
                created_at=NOW - timedelta(minutes=ago),
            )
            for who, action, claim, ago in [
                ("ann", "label", "c1", 30),
                ("ann", "remove", "c1", 10),
                ("bob", "no_action", None, 5),
            ]
        ]
        session.add_all(rows)
        session.flush()
        assert decisions.latest_decision_on_case_by(session, case.id, "ann") is rows[1]
        assert decisions.latest_decision_on_case_by(session, case.id, None) is None
        until = NOW - timedelta(minutes=20)
        assert decisions.latest_decision_on_post_by(session, post.id, "ann", until) is rows[0]
        assert decisions.latest_human_decision(session, post.id) is rows[2]
        assert not decisions.decided_on_other_case(session, post.id, case.id, "ann")
        assert decisions.decided_on_other_case(session, post.id, "another-case", "ann")
        assert decisions.posts_decided_for_claim(session, "c1", ["remove", "label"]) == [post.id]
        assert decisions.posts_decided_for_claim(session, "c1", ["geo_restrict"]) == []


def test_live_actions_leave_out_other_kinds_cancelled_and_undone(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        post = add_scored_post(session)

        def act(action: str, status: str, **fields: object) -> EnforcementAction:
            row = EnforcementAction(
                post_id=post.id,
                action=action,
                status=status,
                idempotency_key=uuid.uuid4().hex,
                **fields,
            )
            session.add(row)
            session.flush()
            return row

        live = act("label", ActionStatus.PENDING)
        undone = act("remove", ActionStatus.CONFIRMED)
        act("undo", ActionStatus.PENDING, undoes_id=undone.id)
        act("label", ActionStatus.CANCELLED)
        assert actions.live_actions_of(session, post.id, ["label", "remove"]) == [live]
        assert actions.action_by_key(session, live.idempotency_key) is live
        assert actions.action_by_key(session, "no-such-key") is None


def test_stale_pending_actions_wait_out_their_backoff(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        post = add_scored_post(session)
        old = NOW - timedelta(minutes=5)
        rows = [
            EnforcementAction(
                post_id=post.id,
                action="label",
                status=status,
                idempotency_key=uuid.uuid4().hex,
                created_at=created,
                next_attempt_at=retry,
            )
            for status, created, retry in [
                (ActionStatus.PENDING, old, None),  # lost
                (ActionStatus.PENDING, old, NOW + timedelta(minutes=1)),  # backing off
                (ActionStatus.PENDING, NOW, None),  # too recent
                (ActionStatus.CONFIRMED, old, None),
            ]
        ]
        session.add_all(rows)
        session.flush()
        cutoff = NOW - timedelta(seconds=30)
        assert actions.stale_pending_action_ids(session, cutoff, 10) == [rows[0].id]


def test_unrouted_posts_are_scored_caseless_routed_bands_and_old(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        lost = add_scored_post(session, score=0.7)
        ignored = add_scored_post(session, score=0.1)
        routed = add_scored_post(session, score=0.7)
        assert open_case_for_post(session, routed.id, RoutingPolicy()) is not None
        for post in (lost, ignored, routed):
            post.status, post.updated_at = PostStatus.SCORED, NOW - timedelta(minutes=5)
        session.flush()
        cutoff = NOW - timedelta(seconds=30)
        assert posts.unrouted_post_ids(session, ["review", "urgent"], cutoff, 10) == [lost.id]
        assert posts.unrouted_post_ids(session, ["review"], NOW - timedelta(hours=1), 10) == []


def test_posts_scores_and_drill_flag(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        real, drill = add_scored_post(session), add_scored_post(session)
        drill.is_drill = True
        session.flush()
        assert {p.id for p in posts.posts_by_ids(session, [real.id, drill.id, "x"])} == {
            real.id,
            drill.id,
        }
        assert not posts.post_is_drill(session, real.id)
        assert posts.post_is_drill(session, drill.id)
        assert not posts.post_is_drill(session, "no-such-post")
        assert [s.post_id for s in posts.scores_oldest_first(session, [real.id])] == [real.id]
        since = NOW - timedelta(days=1)
        assert [p.id for p, _ in posts.real_posts_with_latest_score(session, since, 10)] == [
            real.id
        ]


def test_policies_newest_first(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        assert policies.newest_policy(session) is None
        assert policies.latest_policy_version(session) == 0
        for version in (1, 2, 3):
            session.add(StoredRoutingPolicy(version=version, body={}, author="admin"))
        session.flush()
        assert policies.latest_policy_version(session) == 3
        newest = policies.newest_policy(session)
        assert newest is not None and newest.version == 3
        assert [p.version for p in policies.policy_history(session, limit=2)] == [3, 2]
