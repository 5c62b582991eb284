"""A drill is a tenant of its own: run against a live instance that holds real open cases, it
touches only what it created, and its data stays out of the real queue, the platform,
dashboards, training labels and transparency counts."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from audit.models import AuditEvent
from core.dispatch import InProcessDispatcher
from core.errors import Invalid
from incidents.drill import DrillPost, read_posts
from pipeline.labels import export_labels
from pipeline.models import CaseStatus, Decision, EnforcementAction, ReviewCase
from pipeline.platform_receiver import ReceiverState
from review_ui.supervisor import dashboard_data
from runtime.container import Runtime
from runtime.drill_run import run_drill
from tests.conftest import auth, new_user_token
from tests.incidents.test_drill import POLICY, drill_posts
from tests.pipeline.factories import make_case

URGENT = "real-urgent-250k"
VIRAL = 5_000_000  # drill posts far out-reach the real urgent one: they must still not outrank it


def _real_cases(rt: Runtime) -> dict[str, str]:
    """Real open cases, an urgent high-reach false post among them: post id -> case id."""
    cases = {URGENT: make_case(rt.sessions, post_id=URGENT, score=0.97, views=250_000)}
    for i in range(12):
        cases[f"real-{i}"] = make_case(rt.sessions, post_id=f"real-{i}", score=0.6, views=50)
    return cases


def _viral(posts: list[DrillPost]) -> list[DrillPost]:
    return [replace(p, extra={**p.extra, "views": VIRAL}) if p.label else p for p in posts]


def _sent(receiver: ReceiverState) -> list[dict[str, Any]]:
    with receiver.lock:
        return [dict(r["body"]) for r in receiver.requests]


def _real_actions(rt: Runtime, real: dict[str, str]) -> set[str]:
    with rt.sessions() as session:
        return set(
            session.scalars(select(EnforcementAction.id).where(EnforcementAction.post_id.in_(real)))
        )


def test_a_drill_on_a_live_instance_leaves_real_cases_and_the_platform_alone(
    rt: Runtime,
    pipeline: InProcessDispatcher,
    receiver: tuple[ReceiverState, str],
    client: TestClient,
    tmp_path: Path,
) -> None:
    real = _real_cases(rt)
    pipeline.drain()
    sent_before = _sent(receiver[0])
    actions_before = _real_actions(rt, real)
    posts = _viral(drill_posts(90))
    drill_ids = {p.id for p in posts}

    result, _ = run_drill(rt, posts, rate=400, policy=POLICY, progress=False)
    pipeline.drain()

    assert result.incidents, "the drill ran: its wave became an incident"
    with rt.sessions() as session:
        real_cases = session.scalars(select(ReviewCase).where(ReviewCase.id.in_(real.values())))
        assert {(c.status, c.claimed_by) for c in real_cases} == {(CaseStatus.OPEN, None)}
        decided = set(session.scalars(select(Decision.post_id)))
        assert decided and decided <= drill_ids, "the drill's reviewers decided drill cases only"
    assert _real_actions(rt, real) == actions_before, "no action on a real post"
    # Nothing new reached the platform: drill actions stop before it by default.
    assert _sent(receiver[0]) == sent_before

    # A real reviewer gets the real urgent case first, not a drill case.
    reviewer = new_user_token(rt, "reviewer")
    claimed = client.post("/v1/cases/claim", headers=auth(reviewer)).json()["case"]
    assert claimed["post"]["id"] == URGENT

    with rt.sessions() as session:
        depth = dashboard_data.queue_depth(session)
        assert sum(depth.values()) == len(real)
        assert sum(n for _, n in dashboard_data.decisions_per_hour(session)) == 0
        assert dashboard_data.sla_attainment(session).decided == 0
        with_drills = dashboard_data.decisions_per_hour(session, include_drills=True)
        assert sum(n for _, n in with_drills) == len(decided)

        out = tmp_path / "labels.jsonl"
        export_labels(session, out, source="all")
        exported = {json.loads(line)["post_id"] for line in out.read_text().splitlines()}
        assert exported and not exported & drill_ids
        export_labels(session, out, source="all", include_drills=True)
        exported = {json.loads(line)["post_id"] for line in out.read_text().splitlines()}
        assert drill_ids & exported

        real_events = int(
            session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.is_drill.is_(False))
            )
            or 0
        )
    legal = auth(new_user_token(rt, "legal"))
    counts = client.get("/v1/audit/aggregations", headers=legal).json()
    everything = client.get("/v1/audit/aggregations?include_drills=true", headers=legal).json()
    # Reading the counts logs the read itself, after the query; allow for that one event.
    assert counts["total"] in (real_events, real_events + 1)
    assert everything["total"] > counts["total"]


def test_drill_actions_reach_the_platform_flagged_when_it_asks_for_them(
    rt: Runtime, pipeline: InProcessDispatcher, receiver: tuple[ReceiverState, str]
) -> None:
    rt.settings.platform.send_drill_actions = True
    make_case(rt.sessions, post_id=URGENT, score=0.97, views=250_000)
    pipeline.drain()
    real_sent = _sent(receiver[0])
    posts = drill_posts(60)

    run_drill(rt, posts, rate=400, policy=POLICY, progress=False)
    pipeline.drain()

    sent = _sent(receiver[0])
    drill_sent = [b for b in sent if b["post_id"] in {p.id for p in posts}]
    assert drill_sent, "the drill's removals were sent"
    assert all(b["drill"] is True for b in drill_sent)
    assert all(b["drill"] is False for b in sent if b["post_id"] == URGENT)
    assert [b for b in sent if b["post_id"] == URGENT] == real_sent


def test_a_wave_that_reuses_a_real_post_id_is_refused_and_the_real_post_kept(
    rt: Runtime, pipeline: InProcessDispatcher
) -> None:
    from pipeline.models import Post

    make_case(rt.sessions, post_id=URGENT, score=0.97, views=250_000)
    with rt.sessions() as session:
        before = session.get_one(Post, URGENT).text
    posts = [DrillPost(URGENT, "Drill: the towers spread the virus", True), *drill_posts(3)]

    with pytest.raises(Invalid, match=f"refused: .*{URGENT}"):
        run_drill(rt, posts, rate=400, policy=POLICY, progress=False, reviewers=False)

    with rt.sessions() as session:
        real = session.get_one(Post, URGENT)
        assert (real.text, real.is_drill) == (before, False)


def test_a_short_row_or_a_count_that_is_not_a_number_is_refused_by_its_line(
    tmp_path: Path,
) -> None:
    wave = tmp_path / "wave.csv"
    wave.write_text("id,text,label,views\nd1,a post,1,12\nd2,another,0,lots\n", encoding="utf-8")
    with pytest.raises(Invalid, match="line 3: views must be a whole number, not 'lots'"):
        read_posts(wave)
    wave.write_text("id,text,label\nd1,a post\n", encoding="utf-8")
    with pytest.raises(Invalid, match="line 2 has fewer columns"):
        read_posts(wave)
    wave.write_text("id,text,label,views\nd1,a post,1, 12 \n", encoding="utf-8")
    assert read_posts(wave)[0].extra == {"views": 12}
