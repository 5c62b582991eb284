"""Drills run one after another, or side by side, on one instance: each run touches and scores
only its own posts (a drill is a tenant of its own), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import select

from audit.events import Action
from audit.models import AuditEvent
from core.db import transaction
from core.errors import Conflict
from incidents.drill import DrillPost, simulate_reviewers, with_prefix
from incidents.policy_store import body_of, save_incident_policy
from incidents.severity import IncidentPolicy
from pipeline.models import Decision, ReviewCase
from runtime.container import Runtime
from runtime.drill_run import _run_key, run_drill, served
from runtime.inprocess import start_inprocess_pipeline
from tests.conftest import ADMIN, logged_after
from tests.incidents.test_drill import POLICY, drill_posts


@pytest.fixture
def drill_rt(any_rt: Runtime) -> Iterator[Runtime]:
    """The runtime on either backend with the in-process pipeline working, stopped after."""
    dispatcher = start_inprocess_pipeline(any_rt)
    try:
        yield any_rt
    finally:
        dispatcher.drain()
        dispatcher.shutdown()


def _wave(prefix: str, n: int = 40) -> list[DrillPost]:
    return [replace(p, id=f"{prefix}{p.id}") for p in drill_posts(n)]


def _decisions(rt: Runtime) -> dict[str, str]:
    with rt.sessions() as session:
        return {d.post_id: d.action for d in session.scalars(select(Decision))}


def _cases(rt: Runtime, post_ids: set[str]) -> list[ReviewCase]:
    with rt.sessions() as session:
        return list(session.scalars(select(ReviewCase).where(ReviewCase.post_id.in_(post_ids))))


def test_a_drills_reviewers_leave_an_earlier_drills_open_cases_alone(drill_rt: Runtime) -> None:
    first = _wave("w3-")  # stopped before its reviewers ran: its cases stay open
    run_drill(drill_rt, first, 400, policy=POLICY, progress=False, reviewers=False)
    first_ids = {p.id for p in first}
    assert _cases(drill_rt, first_ids), "the first wave's posts are waiting as drill cases"

    second = _wave("w4-")
    run_drill(drill_rt, second, 400, policy=POLICY, progress=False)

    decided = _decisions(drill_rt)
    assert decided and set(decided) <= {p.id for p in second}
    assert {(c.status, c.claimed_by) for c in _cases(drill_rt, first_ids)} == {("open", None)}
    # The first drill's own reviewers, run again, still get its cases and decide them right.
    with (
        served(drill_rt) as url,
        httpx.Client(base_url=url, timeout=30) as client,
        _run_key(drill_rt, None) as key,
    ):
        simulate_reviewers(client, key, {p.id: p.label for p in first})
    decided = _decisions(drill_rt)
    verdicts = {p.id: decided[p.id] for p in first if p.id in decided}
    assert verdicts == {
        p.id: "remove" if p.label else "no_action" for p in first if p.id in decided
    }
    assert "remove" in verdicts.values(), "the first wave's posts were decided by its own reviewers"


def test_a_wave_that_joins_an_earlier_drills_incident_is_scored_by_it(drill_rt: Runtime) -> None:
    first, _ = run_drill(drill_rt, _wave("a-"), 400, policy=POLICY, progress=False)
    assert len(first.incidents) == 1

    again = _wave("b-")  # the same narrative while the first drill's incident is still open
    score, page = run_drill(drill_rt, again, 400, policy=POLICY, progress=False)

    assert score.incidents == first.incidents
    assert score.recall == 1.0 and score.precision == 1.0
    assert score.s_to_detect is not None and score.s_to_detect >= 0
    assert score.s_to_statement is not None and score.s_to_statement >= 0
    assert score.median_s_to_queue is not None and score.median_s_to_queue >= 0
    assert "No incident was opened" not in page


def test_a_wave_sent_again_is_refused_before_the_drill_starts(drill_rt: Runtime) -> None:
    wave = _wave("w-")
    run_drill(drill_rt, wave, 400, policy=POLICY, progress=False)
    started = _drill_events(drill_rt)

    with pytest.raises(Conflict, match=r"w-drill-0, .* an earlier drill.*--id-prefix") as refused:
        run_drill(drill_rt, wave, 400, policy=POLICY, progress=False)

    assert refused.value.code == "drill_posts_sent"
    assert _drill_events(drill_rt) == started, "nothing was logged for the refused run"
    rerun, _ = run_drill(drill_rt, with_prefix(wave, "run2-"), 400, policy=POLICY, progress=False)
    assert rerun.recall == 1.0 and rerun.median_s_to_queue is not None


def _drill_events(rt: Runtime) -> list[str]:
    with rt.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.action.in_([Action.DRILL_STARTED, Action.DRILL_FINISHED])
                )
            )
        )


def test_a_wave_drill_rehearses_the_active_incident_policy(drill_rt: Runtime) -> None:
    live = replace(IncidentPolicy(), min_posts=5, min_velocity=1_000.0)  # the default: 20 posts
    with transaction(drill_rt.sessions) as session:
        active = save_incident_policy(session, body_of(live), ADMIN, "a smaller first signal")
    wave = _wave("live-", 30)
    assert 5 <= sum(p.label for p in wave) < IncidentPolicy().min_posts

    score, _ = run_drill(drill_rt, wave, 400, progress=False)

    assert score.incidents, "the live policy's five posts open an incident"
    with drill_rt.sessions() as session:
        started = session.scalars(
            select(AuditEvent.document).where(AuditEvent.action == Action.DRILL_STARTED)
        ).one()
    assert logged_after(started)["incident_policy"] == active.version
