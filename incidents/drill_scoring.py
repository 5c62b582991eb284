"""The score of a drill of any type: seconds to assess, activate and notify, each task and clock
against the time the type's plan allows, what was missed, and a mark out of 100; as HTML."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from incidents.drill_types import ChainRun
from incidents.models import ClockStatus, IncidentClock, TaskStatus
from incidents.repository.incidents import incident_by_id
from incidents.repository.response import clocks_by_due, notifications_of, tasks_of
from incidents.severity import ROMAN
from incidents.types import profile

NO_CHANNEL = "no response-group channel at this grade: nobody was notified"


@dataclass
class Step:
    """A clock or a task: what the plan allowed, what it took, and whether that was in time."""

    what: str
    allowed_s: float | None
    took_s: float | None
    status: str
    on_time: bool


@dataclass
class ChainScore:
    type: str
    incident_id: str
    grade: str
    status: str
    s_to_assess: float | None
    s_to_activate: float | None
    s_to_notify: float | None
    notifications_queued: int
    notifications_sent: int
    tasks: list[Step] = field(default_factory=list)
    clocks: list[Step] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # gaps the mark does not count
    score: int = 0  # clocks met and tasks done in time, out of 100

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _since(start: datetime, end: datetime | None) -> float | None:
    return round((end - start).total_seconds(), 3) if end else None


def score_chain(session: Session, run: ChainRun) -> ChainScore:
    incident = incident_by_id(session, run.incident_id)
    assert incident is not None
    reported = run.reported_at or incident.opened_at
    notes = notifications_of(session, incident.id)
    tasks = [_task_step(t) for t in tasks_of(session, incident.id)]
    clocks = [_clock_step(c) for c in clocks_by_due(session, incident.id)]
    steps = tasks + clocks
    missed = [f"{s.what}: {s.status}" for s in steps if not s.on_time]
    return ChainScore(
        type=incident.type,
        incident_id=incident.id,
        grade=ROMAN[incident.grade],
        status=incident.status,
        s_to_assess=_since(reported, run.assessed_at),
        s_to_activate=_since(reported, run.activated_at),
        s_to_notify=_since(reported, notes[0].created_at) if notes else None,
        notifications_queued=len(notes),
        notifications_sent=sum(1 for n in notes if n.sent_at is not None),
        tasks=tasks,
        clocks=clocks,
        missed=missed,
        warnings=[] if notes else [NO_CHANNEL],
        score=round(100 * sum(s.on_time for s in steps) / len(steps)) if steps else 100,
    )


def _task_step(task: Any) -> Step:
    allowed = _since(task.created_at, task.due_at)
    took = _since(task.created_at, task.done_at)
    in_time = task.status == TaskStatus.DONE and (
        task.due_at is None or task.done_at <= task.due_at
    )
    label = f"task {task.group}: {task.title}"
    return Step(label, allowed, took, task.status, in_time)


def _clock_step(clock: IncidentClock) -> Step:
    status = "not met before close" if clock.status == ClockStatus.RUNNING else clock.status
    took = _since(clock.started_at, clock.resolved_at)
    on_time = clock.status == ClockStatus.MET
    return Step(
        f"clock {clock.name}", _since(clock.started_at, clock.due_at), took, status, on_time
    )


def chain_report_html(score: ChainScore, run: ChainRun, incident_report: str = "") -> str:
    """The scored drill report; the post-incident report (if given) follows it."""
    e = html.escape
    label = profile(score.type).label
    head = (
        f"<h1>Drill report: {e(label)}</h1>"
        f"<p class='score'>Score <strong id='drill-score'>{score.score}</strong> / 100 · grade "
        f"{e(score.grade)} · {e(score.status)}</p>"
    )
    times = _rows(
        [
            ("to assess (from the report)", _duration(score.s_to_assess)),
            ("to activate", _duration(score.s_to_activate)),
            ("to notify the groups", _duration(score.s_to_notify)),
            (
                "notifications queued / sent",
                f"{score.notifications_queued} / {score.notifications_sent}",
            ),
        ]
    )
    steps = "".join(
        f"<tr><td>{e(s.what)}</td><td>{_duration(s.allowed_s)}</td><td>{_duration(s.took_s)}</td>"
        f"<td>{e(s.status)}</td><td>{'yes' if s.on_time else '<strong>no</strong>'}</td></tr>"
        for s in score.tasks + score.clocks
    )
    missed = "".join(f"<li>{e(m)}</li>" for m in score.missed + score.warnings)
    missed = missed or "<li>nothing</li>"
    notices = "".join(
        f"<h3>{e(n['kind'])}: {e(n['title'])}</h3><pre>{e(n['body'])}</pre>" for n in run.notices
    )
    body = (
        f"{head}<h2>Times</h2><table>{times}</table>"
        "<h2>Tasks and clocks against the plan</h2><table><tr><th>step</th><th>allowed</th>"
        f"<th>took</th><th>status</th><th>in time</th></tr>{steps}</table>"
        f"<h2>Missed</h2><ul id='drill-missed'>{missed}</ul>"
        f"<h2>Notices drafted</h2>{notices or '<p>The type has no statement template.</p>'}"
    )
    if incident_report and "<body>" in incident_report:
        return incident_report.replace("<body>", f"<body>{body}", 1)
    return f"<!doctype html><html><head><meta charset='utf-8'><title>Drill report</title></head><body>{body}</body></html>"


def _rows(pairs: list[tuple[str, object]]) -> str:
    return "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(_fmt(v))}</td></tr>" for k, v in pairs
    )


def _duration(seconds: float | None) -> str:
    """Seconds as a person reads them: 0.4 s, 30 min, 72 h."""
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


def _fmt(value: object) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f}" if isinstance(value, float) else str(value)
