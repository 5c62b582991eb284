"""A wave drill always ends what it began: arguments are checked before it logs its start, and
however it ends (finished, Ctrl-C, refused) it logs drill.finished with the outcome and revokes
the API key it made for itself. `veracity drill` answers Ctrl-C with one line, exit 130."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accounts.models import ApiKey
from audit.events import Action
from audit.models import AuditEvent
from core.db import transaction
from core.dispatch import InProcessDispatcher
from core.errors import Invalid
from incidents.drill import simulate_reviewers, with_prefix
from incidents.drill_queue import close_drill_cases
from pipeline.models import CaseStatus, ReviewCase
from runtime import drill_run
from runtime.container import Runtime
from runtime.drill_run import _run_key, run_drill, served
from tests.conftest import auth, logged_after, new_api_key
from tests.incidents.test_drill import POLICY, drill_posts
from veracity_cli.main import build_parser


def _drill_log(rt: Runtime) -> list[tuple[str, dict[str, object]]]:
    with rt.sessions() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_([Action.DRILL_STARTED, Action.DRILL_FINISHED]))
            .order_by(AuditEvent.seq)
        )
        return [(e.action, logged_after(e.document)) for e in events]


def _drill_keys(rt: Runtime) -> list[ApiKey]:
    with rt.sessions() as session:
        return list(session.scalars(select(ApiKey).where(ApiKey.name.like("drill-%"))))


@pytest.mark.parametrize("rate", [0.0, -2.0, float("nan"), float("inf")])
def test_a_rate_that_is_not_positive_is_refused_before_the_drill_starts(
    rt: Runtime, rate: float
) -> None:
    with pytest.raises(Invalid, match="--rate must be positive"):
        run_drill(rt, drill_posts(5), rate, policy=POLICY, progress=False)
    assert _drill_log(rt) == []
    assert _drill_keys(rt) == [], "no key was made for a drill that never started"


def test_a_drill_of_no_posts_is_refused_before_the_drill_starts(rt: Runtime) -> None:
    with pytest.raises(Invalid, match="no posts"):
        run_drill(rt, [], 400, policy=POLICY, progress=False)
    assert _drill_log(rt) == []
    assert _drill_keys(rt) == [], "no key was made for a drill that never started"


def test_a_finished_drill_revokes_its_key_and_logs_its_outcome(
    rt: Runtime, pipeline: InProcessDispatcher, capsys: pytest.CaptureFixture[str]
) -> None:
    run_drill(rt, drill_posts(30), 400, policy=POLICY)

    assert capsys.readouterr().err.startswith("loading the model…")

    (started, _), (finished, after) = _drill_log(rt)
    assert (started, finished) == (Action.DRILL_STARTED, Action.DRILL_FINISHED)
    assert after["outcome"] == "completed" and "recall" in after
    [key] = _drill_keys(rt)
    assert key.revoked_at is not None


def test_a_drill_stopped_by_ctrl_c_logs_it_was_interrupted_and_revokes_its_key(
    rt: Runtime, pipeline: InProcessDispatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(drill_run, "simulate_reviewers", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_drill(rt, drill_posts(30), 400, policy=POLICY, progress=False)

    assert [(action, after.get("outcome")) for action, after in _drill_log(rt)] == [
        (Action.DRILL_STARTED, None),
        (Action.DRILL_FINISHED, "interrupted"),
    ]
    [key] = _drill_keys(rt)
    assert key.revoked_at is not None


def _undecided_cases(rt: Runtime, *, drill: bool) -> list[ReviewCase]:
    with rt.sessions() as session:
        return list(
            session.scalars(
                select(ReviewCase).where(
                    ReviewCase.is_drill.is_(drill), ReviewCase.status != CaseStatus.DECIDED
                )
            )
        )


def test_a_drill_stopped_by_ctrl_c_closes_its_own_open_cases_and_no_real_one(
    rt: Runtime,
    pipeline: InProcessDispatcher,
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = [p for p in drill_posts(30) if p.label]
    sent = client.post(
        "/v1/score",
        json={"posts": [{"id": f"real-{p.id}", "text": p.text, **p.extra} for p in real]},
        headers=auth(new_api_key(rt)),
    )
    assert sent.status_code == 200, sent.text
    pipeline.drain()
    real_open = {(c.id, c.status) for c in _undecided_cases(rt, drill=False)}
    assert real_open, "real posts wait in the reviewers' queue"

    def interrupted(client: httpx.Client, api_key: str, *args: object, **kwargs: object) -> int:
        held = client.post("/v1/drills/cases/claim", headers=auth(api_key))
        assert held.json()["case"], "the run's reviewer holds one of its cases"
        raise KeyboardInterrupt

    monkeypatch.setattr(drill_run, "simulate_reviewers", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_drill(rt, drill_posts(30), 400, policy=POLICY, progress=False)

    assert _undecided_cases(rt, drill=True) == [], "the drill's queue is empty again"
    assert {(c.id, c.status) for c in _undecided_cases(rt, drill=False)} == real_open
    _, (_, finished) = _drill_log(rt)
    assert finished["outcome"] == "interrupted"
    assert isinstance(finished["cases_closed"], int) and finished["cases_closed"] > 0


def test_a_drills_reviewers_go_on_when_its_drill_closed_a_case_they_would_put_back(
    rt: Runtime, pipeline: InProcessDispatcher
) -> None:
    earlier = with_prefix(drill_posts(30), "a-")  # its cases wait: no reviewers ran
    run_drill(rt, earlier, 400, policy=POLICY, progress=False, reviewers=False)
    assert _undecided_cases(rt, drill=True)

    def earlier_drill_interrupted(response: httpx.Response) -> None:
        if response.request.url.path.endswith("/claim"):  # while this reviewer holds its case
            with transaction(rt.sessions) as session:
                close_drill_cases(session, [p.id for p in earlier])

    hooks = {"response": [earlier_drill_interrupted]}
    with (
        served(rt) as url,
        httpx.Client(base_url=url, timeout=30, event_hooks=hooks) as client,
        _run_key(rt, None) as key,
    ):
        assert simulate_reviewers(client, key, {"b-1": True}) == 0
    assert _undecided_cases(rt, drill=True) == []


def test_the_console_answers_ctrl_c_with_one_line_and_exit_130(
    rt: Runtime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wave = tmp_path / "wave.csv"
    wave.write_text("id,text,label\nd1,a post,1\n", encoding="utf-8")
    given: list[str] = []

    def interrupted(rt: Runtime, posts: list[Any], *args: object, **kwargs: object) -> None:
        given.extend(p.id for p in posts)
        raise KeyboardInterrupt

    monkeypatch.setattr("runtime.drill_cli.run_drill", interrupted)
    monkeypatch.setattr("runtime.drill_cli.start_inprocess_pipeline", lambda rt: None)
    args = build_parser().parse_args(["drill", "--input", str(wave), "--id-prefix", "run2-"])

    assert args.handler(rt, args) == 130

    out = capsys.readouterr()
    assert out.err.strip().splitlines()[-1].startswith("veracity drill: interrupted")
    assert "Traceback" not in out.err
    assert given == ["run2-d1"]
