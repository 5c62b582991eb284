"""Drills run one after another, or side by side, on one instance: each run touches and scores
only its own posts (a drill is a tenant of its own), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import select

from incidents.drill import DrillPost, simulate_reviewers
from pipeline.models import Decision, ReviewCase
from runtime.container import Runtime
from runtime.drill_run import _drill_key, run_drill, served
from runtime.inprocess import start_inprocess_pipeline
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
    with served(drill_rt) as url, httpx.Client(base_url=url, timeout=30) as client:
        simulate_reviewers(client, _drill_key(drill_rt), {p.id: p.label for p in first})
    decided = _decisions(drill_rt)
    verdicts = {p.id: decided[p.id] for p in first if p.id in decided}
    assert verdicts == {
        p.id: "remove" if p.label else "no_action" for p in first if p.id in decided
    }
    assert "remove" in verdicts.values(), "the first wave's posts were decided by its own reviewers"
