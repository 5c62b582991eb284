"""Running a whole drill: serve the API (embedded) or use `--url`, replay, detect, review,
make a statement, score, and write the drill report."""

from __future__ import annotations

import html
import socket
import sys
import threading
import time
import uuid
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict

import httpx
import uvicorn

from accounts.service import create_api_key, revoke_api_key
from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor, ActorType
from core.db import transaction
from incidents.detection import scan
from incidents.drill import (
    DrillPost,
    DrillScore,
    check_posts,
    check_rate,
    refuse_sent_posts,
    score_drill,
    send_posts,
    simulate_reviewers,
)
from incidents.drill_queue import close_drill_cases
from incidents.drill_scoring import ChainScore, chain_report_html, score_chain
from incidents.drill_types import run_type_drill
from incidents.policy_store import active_incident_policy
from incidents.report import build_report
from incidents.report_render import render_html
from incidents.repository.drills import drill_incidents_of_posts
from incidents.repository.incidents import incident_by_id
from incidents.service import record_milestone
from incidents.severity import IncidentPolicy
from incidents.types import IncidentType
from runtime.container import Runtime
from runtime.web import create_app

DRILL_ACTOR = Actor("drill-runner", ActorType.HUMAN, ("admin",))


@contextmanager
def served(rt: Runtime) -> Iterator[str]:
    """The real app over real HTTP on a free local port, for the length of the drill."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(rt), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def _run_key(rt: Runtime, given: str | None) -> Iterator[str]:
    """The given key, or a fresh key with only the `drill` scope (it can score drill posts and
    work drill cases) that is revoked when the run ends, however it ends."""
    if given:
        yield given
        return
    with transaction(rt.sessions) as session:
        issued = create_api_key(session, f"drill-{uuid.uuid4().hex[:6]}", ("drill",), DRILL_ACTOR)
        key_id = issued.key.id
    try:
        yield issued.secret
    finally:
        with transaction(rt.sessions) as session:
            revoke_api_key(session, key_id, DRILL_ACTOR)


@contextmanager
def _logged_run(rt: Runtime, start: dict[str, object]) -> Iterator[dict[str, object]]:
    """drill.started, then drill.finished however the run ends: its outcome (completed,
    interrupted by Ctrl-C, failed) and what the run put in the dict it is given."""
    _log(rt, Action.DRILL_STARTED, Subject(), start)
    finished: dict[str, object] = {}
    outcome = "failed"
    try:
        yield finished
        outcome = "completed"
    except KeyboardInterrupt:
        outcome = "interrupted"
        raise
    except Exception as exc:
        finished["error"] = str(exc)
        raise
    finally:
        _log(rt, Action.DRILL_FINISHED, Subject(), {"outcome": outcome, **finished})


def _log(rt: Runtime, action: Action, subject: Subject, after: dict[str, object]) -> None:
    with transaction(rt.sessions) as session:
        record(session, action, DRILL_ACTOR, subject, after=after, is_drill=True)


def _scan_all(rt: Runtime, policy: IncidentPolicy) -> None:
    while True:
        with transaction(rt.sessions) as session:
            if scan(session, policy=policy) == 0:
                return


def run_drill(
    rt: Runtime,
    posts: Sequence[DrillPost],
    rate: float,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    reviewers: bool = True,
    statement: bool = True,
    policy: IncidentPolicy | None = None,
    progress: bool = True,
) -> tuple[DrillScore, str]:
    """Replay the wave, detect, review and state as configured, then score this run. The
    arguments and the wave's ids are checked before anything is logged or made; a run that
    starts always logs drill.finished and revokes the key it made (Ctrl-C included). A run
    stopped by Ctrl-C closes its drill cases still undecided (drill.finished counts them)."""
    check_posts(posts)
    check_rate(rate)
    with rt.sessions() as session:
        refuse_sent_posts(session, posts)
        policy = policy or active_incident_policy(session)  # the live plan, not the defaults
    start = {"posts": len(posts), "rate": rate, "incident_policy": policy.version}
    with _run_key(rt, api_key) as key, _logged_run(rt, start) as finished:
        try:
            result = _play(rt, posts, rate, key, base_url, reviewers, statement, policy, progress)
        except KeyboardInterrupt:  # its cases would wait in the drill queue for good
            with transaction(rt.sessions) as session:
                finished["cases_closed"] = close_drill_cases(session, [p.id for p in posts])
            raise
        finished.update(asdict(result))
    return result, drill_report_html(rt, result)


def _play(
    rt: Runtime,
    posts: Sequence[DrillPost],
    rate: float,
    key: str,
    base_url: str | None,
    reviewers: bool,
    statement: bool,
    policy: IncidentPolicy,
    progress: bool,
) -> DrillScore:
    if base_url is None and progress:  # serving loads the model: ~20 s without a word
        print("loading the model…", file=sys.stderr, flush=True)
    with (
        served(rt) if base_url is None else _given(base_url) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        started = send_posts(
            client,
            key,
            posts,
            rate,
            progress=progress,
            between_batches=lambda: _scan_all(rt, policy),
        )
        _drain(rt)
        _scan_all(rt, policy)
        if reviewers:
            simulate_reviewers(client, key, {p.id: p.label for p in posts})
            _drain(rt)
        if statement:
            _simulated_statement(rt, [p.id for p in posts])
    with rt.sessions() as session:
        return score_drill(session, posts, started)


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url


def _drain(rt: Runtime) -> None:
    drain = getattr(rt.dispatcher, "drain", None)
    if callable(drain):
        drain()


def _simulated_statement(rt: Runtime, post_ids: Sequence[str]) -> None:
    pr = Actor("drill-pr", ActorType.HUMAN, ("pr",))
    with transaction(rt.sessions) as session:
        for incident in drill_incidents_of_posts(session, post_ids):
            record_milestone(session, incident.id, "public_statement", pr, note="drill statement")


def drill_report_html(rt: Runtime, result: DrillScore) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in asdict(result).items()
    )
    section = f"<h1>Drill report</h1><table>{rows}</table>"
    if not result.incidents:
        return f"<!doctype html><html><body>{section}<p>No incident was opened.</p></body></html>"
    with rt.sessions() as session:
        main = max(
            (incident_by_id(session, i) for i in result.incidents),
            key=lambda inc: inc.post_count if inc else 0,
        )
        assert main is not None
        page = render_html(build_report(session, main.id), title="Drill: incident report")
    return page.replace("<body>", f"<body>{section}", 1)


def run_chain_drill(
    rt: Runtime,
    kind: IncidentType,
    *,
    skip: Collection[str] = (),
    client: httpx.Client | None = None,
    with_incident_report: bool = True,
) -> tuple[ChainScore, str]:
    """A drill of any type through the plan's chain (`drill_types`), scored; the page is the
    scored drill report followed by the drill incident's post-incident report."""
    run = run_type_drill(rt, kind, skip=skip, client=client)
    with rt.sessions() as session:
        score = score_chain(session, run)
        report = build_report(session, run.incident_id) if with_incident_report else None
    _log(rt, Action.DRILL_FINISHED, Subject(incident_id=run.incident_id), score.as_dict())
    page = render_html(report, title="Drill: incident report") if report else ""
    return score, chain_report_html(score, run, page)
