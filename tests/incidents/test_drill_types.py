"""A drill of every incident type on the embedded default: the plan's chain (report, assessment,
activation, tasks, notifications, notice drafts, milestones, close with a lesson) on drill
records only, scored against the type's clocks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from audit.models import AuditEvent
from core.errors import Invalid
from core.outbound import gated_client, policy_from
from incidents.drill_scoring import NO_CHANNEL
from incidents.models import Incident, IncidentTask, Lesson, TaskStatus
from incidents.types import IncidentType
from runtime.container import Runtime
from runtime.drill_cli import drill
from runtime.drill_run import run_chain_drill
from statements.models import Statement
from tests.conftest import auth, new_user_token
from tests.incidents.conftest import Received
from veracity_cli.main import build_parser


@pytest.mark.parametrize("kind", list(IncidentType))
def test_a_drill_of_each_type_runs_the_whole_chain_on_drill_records_only(
    rt: Runtime, kind: IncidentType
) -> None:
    score, page = run_chain_drill(rt, kind, with_incident_report=kind is IncidentType.OUTAGE)
    assert score.type == kind.value and score.status == "closed"
    assert score.score == 100 and score.missed == [], score.missed
    assert score.warnings == [NO_CHANNEL]  # no group has a channel on the embedded default
    assert score.s_to_assess is not None and score.s_to_activate is not None
    assert score.tasks and all(t.status == TaskStatus.DONE for t in score.tasks)
    assert score.clocks and all(c.status == "met" for c in score.clocks)
    with rt.sessions() as session:
        incident = session.scalars(select(Incident)).one()
        # People decided: the plan asked leadership to activate at this grade.
        assert incident.is_drill and incident.decided_by == "drill-leadership"
        assert session.scalar(select(func.count()).select_from(Lesson)) == 1
        leaked = session.scalars(
            select(AuditEvent.action).where(AuditEvent.is_drill.is_(False))
        ).all()
        assert session.scalar(select(func.count()).select_from(Statement)) == 0
    assert leaked == [], sorted(set(leaked))  # every event of the drill carries the flag
    assert "Drill report" in page
    assert "<strong id='drill-score'>100</strong>" in page
    if kind is IncidentType.DATA_LEAK:  # both breach notices are drafted from the templates
        assert "Notice of a data breach" in page and "Personal data breach notification" in page
    if kind is IncidentType.OUTAGE:
        assert "Service notice: Sign-in" in page and "data:image/png;base64," in page


def test_a_task_left_undone_is_reported_as_missed(rt: Runtime) -> None:
    score, page = run_chain_drill(
        rt, IncidentType.SECURITY, skip={"contain"}, with_incident_report=False
    )
    assert score.score < 100
    assert "clock containment: not met before close" in score.missed
    assert any(m.startswith("task technical_response") for m in score.missed)
    assert "not met before close" in page and "<td>4 h</td>" in page  # containment allows 4 h
    with rt.sessions() as session:
        left = session.scalars(select(IncidentTask).where(IncidentTask.kind == "contain")).one()
    assert left.status == TaskStatus.OPEN


def test_a_drill_notifies_the_groups_through_their_channels_marked_as_drill(
    rt: Runtime, client: TestClient, webhook_receiver: tuple[Received, str]
) -> None:
    received, url = webhook_receiver
    admin = auth(new_user_token(rt, "admin"))
    body = {"role": "technical_response", "url": f"{url}/tech", "secret": "s" * 20}
    assert client.post("/v1/incidents/response-groups", json=body, headers=admin).status_code == 200
    with gated_client(policy_from(rt.settings), timeout=5) as http:
        score, _ = run_chain_drill(rt, IncidentType.OUTAGE, client=http, with_incident_report=False)
    assert score.notifications_sent >= 1 and score.s_to_notify is not None
    assert score.warnings == []
    payloads = [json.loads(b) for p, _, b in received.requests if p == "/tech"]
    assert payloads and all(p["incident"]["is_drill"] for p in payloads)
    assert {t["kind"] for t in payloads[0]["tasks"]} == {"restore"}


def test_veracity_drill_type_writes_the_scored_report(rt: Runtime, tmp_path: Path) -> None:
    report = tmp_path / "drill.html"
    args = build_parser().parse_args(
        ["drill", "--type", "compliance", "--skip", "legal_review", "--report", str(report)]
    )
    assert drill(rt, args) == 0
    page = report.read_text(encoding="utf-8")
    assert "Drill report: Legal compliance" in page and "clock legal review" in page
    with pytest.raises(Invalid, match="give --type TYPE"):
        drill(rt, build_parser().parse_args(["drill"]))  # neither a wave nor a type
