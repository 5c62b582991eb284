"""The pipeline's repository queries (pipeline/repository/), on SQLite and on PostgreSQL: what
each returns, what it leaves out (drills, machine decisions, other people's rows) and in what
order. The review UI pages read everything through these."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import as_utc, utcnow
from core.db import transaction
from pipeline.models import ActionStatus, CaseStatus, Decision, EnforcementAction, Post
from pipeline.queue import open_case_for_post
from pipeline.repository import cases, console, decisions, figures, posts
from pipeline.routing import RoutingPolicy
from runtime.container import Runtime
from tests.pipeline.factories import add_scored_post

NOW = utcnow()


def _case(
    session: Session,
    *,
    score: float = 0.6,
    drill: bool = False,
    lang: str | None = "en",
    views: int = 10,
    author: str | None = None,
) -> str:
    post = add_scored_post(session, score=score, lang=lang, views=views)
    post.is_drill, post.author_id = drill, author
    case = open_case_for_post(session, post.id, RoutingPolicy())
    assert case is not None
    return case.id


def _decision(
    session: Session,
    case_id: str | None,
    post_id: str,
    *,
    by: str = "ann",
    action: str = "remove",
    at: datetime = NOW,
    decider_type: str = "human",
) -> Decision:
    made = Decision(
        case_id=case_id,
        post_id=post_id,
        decided_by=by,
        decider_type=decider_type,
        reason_code="false_claim",
        action=action,
        created_at=at,
    )
    session.add(made)
    session.flush()
    return made


def _enforce(session: Session, decision: Decision, **fields: object) -> EnforcementAction:
    action = EnforcementAction(
        decision_id=decision.id,
        post_id=decision.post_id,
        action=decision.action,
        idempotency_key=uuid.uuid4().hex,
        **fields,
    )
    session.add(action)
    session.flush()
    return action


def test_queue_counts_per_band_leave_drills_out_and_narrow_to_a_role(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        _case(session, score=0.9)
        _case(session, score=0.6)
        _case(session, score=0.6, drill=True)
        escalated = cases.case_by_id(session, _case(session, score=0.6))
        assert escalated is not None
        escalated.status, escalated.required_role = CaseStatus.ESCALATED, "legal"
    with any_rt.sessions() as session:
        waiting = [CaseStatus.OPEN, CaseStatus.CLAIMED]
        assert cases.cases_per_band(session, waiting) == {"urgent": 1, "review": 1}
        assert cases.cases_per_band(session, waiting, include_drills=True) == {
            "urgent": 1,
            "review": 2,
        }
        legal = cases.cases_per_band(session, [CaseStatus.ESCALATED], required_role="legal")
        assert legal == {"review": 1}
        assert cases.cases_per_band(session, [CaseStatus.ESCALATED], required_role="x") == {}


def test_the_case_a_reviewer_holds_is_the_top_live_lease_only(any_rt: Runtime) -> None:
    now = utcnow()  # not the module's NOW: a full suite reaches this test minutes after import
    with transaction(any_rt.sessions) as session:
        low, high, lapsed = (_case(session, score=s) for s in (0.55, 0.9, 0.95))
        for case_id, lease in ((low, 5), (high, 5), (lapsed, -1)):
            case = cases.case_by_id(session, case_id)
            assert case is not None
            case.status, case.claimed_by = CaseStatus.CLAIMED, "ann"
            case.lease_expires_at = now + timedelta(minutes=lease)
    with any_rt.sessions() as session:
        held = cases.current_case_of(session, "ann")
        assert held is not None and held.id == high
        assert cases.current_case_of(session, "bob") is None
        assert cases.holders_of_claimed_cases(session).count("ann") == 3
        assert cases.case_by_id(session, "no-such-case") is None


def test_the_cases_of_an_incident_are_those_tied_to_it_by_id(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        tied = [_case(session) for _ in range(2)]
        other = _case(session)
        _case(session)  # tied to no incident
        for case_id, incident_id in ((tied[0], "inc-1"), (tied[1], "inc-1"), (other, "inc-2")):
            case = cases.case_by_id(session, case_id)
            assert case is not None
            case.incident_id = incident_id
    with any_rt.sessions() as session:
        assert sorted(c.id for c in cases.cases_of_incident(session, "inc-1")) == sorted(tied)
        assert [c.id for c in cases.cases_of_incident(session, "inc-2")] == [other]
        assert cases.cases_of_incident(session, "inc-3") == []


def test_open_cases_are_listed_by_priority_with_their_post_and_drills_aside(
    any_rt: Runtime,
) -> None:
    with transaction(any_rt.sessions) as session:
        low = _case(session, score=0.55, views=3, lang="de")
        high = _case(session, score=0.9, views=7, lang="fr")
        _case(session, score=0.99, drill=True, lang="xx")
        decided = cases.case_by_id(session, _case(session, score=0.8, lang="it"))
        assert decided is not None
        decided.status = CaseStatus.DECIDED
    statuses = [CaseStatus.OPEN, CaseStatus.CLAIMED]
    with any_rt.sessions() as session:
        assert cases.count_real_cases(session, statuses) == 2
        rows = cases.real_cases_with_post(session, statuses, 10)
        assert [(c.id, views) for c, _, views in rows] == [(high, 7), (low, 3)]
        assert all(text.startswith("claim text") for _, text, _ in rows)
        assert [c.id for c, _, _ in cases.real_cases_with_post(session, statuses, 1)] == [high]
        oldest = cases.oldest_real_case_at(session, statuses)
        low_case = cases.case_by_id(session, low)
        assert oldest is not None and low_case is not None
        assert as_utc(oldest) == as_utc(low_case.created_at)
        assert cases.oldest_real_case_at(session, [CaseStatus.ESCALATED]) is None
        assert cases.live_languages(session) == ["de", "fr"]
        named = cases.cases_with_text(session, [low, "missing"])
        assert [(c.id, text[:10]) for c, text in named] == [(low, "claim text")]


def test_an_authors_record_counts_posts_and_actions_on_the_other_posts(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        ids = [_case(session, author="a-1") for _ in range(3)]
        _case(session, author="a-2")
        found = [cases.case_by_id(session, i) for i in ids]
        first, second, third = (c.post_id for c in found if c is not None)
        _decision(session, ids[0], first, action="remove")
        _decision(session, ids[1], second, action="label")
        _decision(session, ids[1], second, action="label")
        _decision(session, ids[2], third, action="no_action")  # the post on screen
    with any_rt.sessions() as session:
        assert posts.count_author_posts(session, "a-1") == 3
        assert posts.count_author_posts(session, "nobody") == 0
        assert posts.actions_on_author(session, "a-1", third) == {"remove": 1, "label": 2}
        post = posts.post_by_id(session, first)
        assert post is not None and post.author_id == "a-1"


def test_related_posts_come_most_viewed_first_with_their_case_status(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        ids = [_case(session, author="a-3", views=v) for v in (5, 50, 20)]
        own, popular, middle = (cases.case_by_id(session, i) for i in ids)
        assert own is not None and popular is not None and middle is not None
        popular.status = CaseStatus.DECIDED
        uncased = add_scored_post(session, views=100)
        uncased.author_id = "a-3"
        own_id, expected = (
            own.post_id,
            [
                (uncased.id, None),
                (popular.post_id, CaseStatus.DECIDED),
                (middle.post_id, CaseStatus.OPEN),
            ],
        )
    same_author = select(Post.id).where(Post.author_id == "a-3")
    with any_rt.sessions() as session:
        rows = posts.posts_with_case_status(session, same_author, own_id, 10)
        assert [(p.id, status) for p, status in rows] == expected
        assert len(posts.posts_with_case_status(session, same_author, own_id, 2)) == 2


def test_recent_decisions_are_human_real_newest_first_and_narrow_to_a_reviewer(
    any_rt: Runtime,
) -> None:
    with transaction(any_rt.sessions) as session:
        case_id = _case(session)
        case = cases.case_by_id(session, case_id)
        assert case is not None
        old = _decision(session, case_id, case.post_id, by="ann", at=NOW - timedelta(hours=2))
        new = _decision(session, case_id, case.post_id, by="bob", at=NOW - timedelta(hours=1))
        _decision(session, None, case.post_id, by="model", decider_type="machine")
        drill = cases.case_by_id(session, _case(session, drill=True))
        assert drill is not None
        _decision(session, drill.id, drill.post_id, by="ann")
        ids, post_id = (old.id, new.id), case.post_id
    with any_rt.sessions() as session:
        everyone = decisions.recent_human_decisions(session, 10)
        assert [(d.id, status) for d, _, status in everyone] == [
            (ids[1], CaseStatus.OPEN),
            (ids[0], CaseStatus.OPEN),
        ]
        assert [d.id for d, _, _ in decisions.recent_human_decisions(session, 10, "ann")] == [
            ids[0]
        ]
        assert [d.id for d, _, _ in decisions.recent_human_decisions(session, 1)] == [ids[1]]
        assert decisions.latest_human_decision_ids(session, {post_id}) == {post_id: ids[1]}
        assert decisions.latest_human_decision_ids(session, set()) == {}


def test_a_decisions_enforcement_and_whether_it_was_undone(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        case = cases.case_by_id(session, _case(session))
        assert case is not None
        removed = _decision(session, case.id, case.post_id)
        kept = _decision(session, case.id, case.post_id, action="no_action")
        removal = _enforce(session, removed, status=ActionStatus.CONFIRMED)
        undo = _enforce(session, removed, undoes_id=removal.id)
        ids = (removed.id, kept.id, removal.id, undo.id)
    with any_rt.sessions() as session:
        first = decisions.enforcement_of(session, ids[0])
        assert first is not None and first.decision_id == ids[0]
        assert decisions.enforcement_of(session, ids[1]) is None
        both = decisions.enforcement_of_decisions(session, [ids[0], ids[1]])
        assert sorted(a.id for a in both) == sorted([ids[2], ids[3]])
        assert decisions.undone_action_ids(session, [ids[2], ids[3]]) == {ids[2]}
        assert decisions.qa_reviews_of(session, [ids[0]]) == {}
        found = decisions.decision_by_id(session, ids[1])
        assert found is not None and found.action == "no_action"


def test_decision_counts_per_action_and_per_reviewer_since_a_time(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        case = cases.case_by_id(session, _case(session))
        drill = cases.case_by_id(session, _case(session, drill=True))
        assert case is not None and drill is not None
        for by, action, hours in (("ann", "remove", 1), ("ann", "remove", 2), ("ann", "label", 1)):
            _decision(
                session,
                case.id,
                case.post_id,
                by=by,
                action=action,
                at=NOW - timedelta(hours=hours),
            )
        _decision(session, case.id, case.post_id, by="ann", at=NOW - timedelta(hours=30))
        _decision(session, case.id, case.post_id, by="bob", action="label")
        _decision(session, drill.id, drill.post_id, by="bob", action="label")
        _decision(session, None, case.post_id, by="ann", decider_type="machine")
    since = NOW - timedelta(hours=8)
    with any_rt.sessions() as session:
        mine = decisions.human_decisions_per_action(session, "ann", since)
        assert mine == {"remove": 2, "label": 1}
        per_reviewer = decisions.human_decisions_per_reviewer(session, since)
        assert sorted(per_reviewer) == [
            ("ann", "label", 1),
            ("ann", "remove", 2),
            ("bob", "label", 1),
        ]


def test_dashboard_figures_read_first_decisions_overdue_cases_and_removals(
    any_rt: Runtime,
) -> None:
    with transaction(any_rt.sessions) as session:
        late, on_time, overdue = (cases.case_by_id(session, _case(session)) for _ in range(3))
        drill = cases.case_by_id(session, _case(session, drill=True))
        assert late is not None and on_time is not None and overdue is not None
        assert drill is not None
        late.due_at, on_time.due_at = NOW - timedelta(hours=3), NOW + timedelta(hours=3)
        overdue.due_at = NOW - timedelta(minutes=1)
        first = _decision(session, late.id, late.post_id, at=NOW - timedelta(hours=1))
        _decision(session, late.id, late.post_id, at=NOW)  # a later one is not the first
        _decision(session, on_time.id, on_time.post_id, at=NOW - timedelta(hours=2))
        drilled = _decision(session, drill.id, drill.post_id, at=NOW)
        late.status = on_time.status = drill.status = CaseStatus.DECIDED
        drill.due_at = NOW - timedelta(hours=1)
        confirmed = NOW - timedelta(hours=1)
        _enforce(session, first, status=ActionStatus.CONFIRMED, confirmed_at=confirmed)
        _enforce(session, drilled, status=ActionStatus.CONFIRMED, confirmed_at=confirmed)
        _enforce(session, _decision(session, on_time.id, on_time.post_id))  # still pending
    since = NOW - timedelta(days=1)
    live = [CaseStatus.OPEN, CaseStatus.CLAIMED, CaseStatus.ESCALATED]
    with any_rt.sessions() as session:
        firsts = sorted(
            (as_utc(due), as_utc(at)) for due, at in figures.first_decisions_since(session, since)
        )
        assert firsts == [
            (NOW - timedelta(hours=3), NOW - timedelta(hours=1)),
            (NOW + timedelta(hours=3), NOW - timedelta(hours=2)),
        ]
        assert len(figures.first_decisions_since(session, since, include_drills=True)) == 3
        assert figures.count_overdue(session, live, NOW) == 1
        assert len(figures.human_decision_times(session, since)) == 4
        assert len(figures.human_decision_times(session, since, include_drills=True)) == 5
        removals = figures.confirmed_removal_times(session, since)
        assert [as_utc(at) for at in removals if at is not None] == [confirmed]
        assert len(figures.confirmed_removal_times(session, since, include_drills=True)) == 2


def test_a_note_draft_is_kept_per_case_and_person_and_dropped(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        console.save_note_draft(session, "case-1", "ann", "first words")
        console.save_note_draft(session, "case-1", "bob", "bob's")
    with transaction(any_rt.sessions) as session:
        console.save_note_draft(session, "case-1", "ann", "first words, then more")
    with transaction(any_rt.sessions) as session:
        assert console.note_draft(session, "case-1", "ann") == "first words, then more"
        assert console.note_draft(session, "case-2", "ann") == ""
        console.drop_note_draft(session, "case-1", "ann")
    with any_rt.sessions() as session:
        assert console.note_draft(session, "case-1", "ann") == ""
        assert console.note_draft(session, "case-1", "bob") == "bob's"


def test_wellness_settings_are_created_then_updated(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        assert console.reviewer_settings(session, "ann") is None
        console.save_reviewer_settings(
            session, "ann", blur_media=False, grayscale=True, daily_cap=40
        )
    with transaction(any_rt.sessions) as session:
        console.save_reviewer_settings(
            session, "ann", blur_media=True, grayscale=True, daily_cap=None
        )
    with any_rt.sessions() as session:
        row = console.reviewer_settings(session, "ann")
        assert row is not None
        assert (row.blur_media, row.grayscale, row.daily_cap) == (True, True, None)
