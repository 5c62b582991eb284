"""The incident pages for a reader whose language is Chinese: the list, an incident with its
timeline, clocks, tasks and groups, and the response plan read in Chinese; the words shown for
the domain's own values (status, clock, task, group, milestone, event) come from label maps that
every value has a Chinese translation in, while what people typed stays as written."""

from __future__ import annotations

import re
import warnings
from dataclasses import fields
from html import unescape
from io import BytesIO

import pytest
from pypdf import PdfReader

from audit.events import Action
from core.actors import Actor, ActorType
from core.db import transaction
from core.outbound import OutboundPolicy
from incidents import groups, service, tasks_board
from incidents.attachments import KINDS
from incidents.channels import EMAIL
from incidents.drill_types import SCOPES, WHAT
from incidents.models import ClockStatus, IncidentStatus, TaskStatus
from incidents.policy_store import MILESTONES
from incidents.report_pdf import coded
from incidents.repository.response import tasks_of
from incidents.response import Report, activate, report_incident
from incidents.severity import IncidentPolicy
from incidents.type_rules import PROFILES
from incidents.types import GroupKind, IncidentType, Scope
from pipeline.models import CaseStatus
from review_ui import i18n
from review_ui.incidents import words
from statements.models import StatementStatus
from tests.review_ui.conftest import Stack, signed_in_as

ZH = {"accept-language": "zh-CN,zh;q=0.9"}


def _text(html: str, element_id: str) -> str:
    """The text inside the element with the id (up to its closing tag of the same name)."""
    found = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert found, element_id
    return unescape(re.sub(r"<[^>]+>", " ", found.group(2)))


def _column(html: str, table_id: str, index: int) -> list[str]:
    """The text of one column in each row of the table's body."""
    body = re.search(rf'id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, table_id
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [unescape(re.sub(r"<[^>]+>", " ", c[index])) for c in cells if len(c) > index]


def _outage(stack: Stack) -> tuple[str, str]:
    """An active outage (grade I) with clocks, tasks (one started), a milestone and leadership
    told by e-mail, built through the services as leadership would."""
    lead_name = stack.user("leadership")
    lead = Actor(lead_name, ActorType.HUMAN, ("leadership",))
    admin = Actor("admin-zh", ActorType.HUMAN, ("admin",))
    kind = IncidentType.OUTAGE
    with transaction(stack.rt.sessions) as session:
        groups.add_channel(session, admin, OutboundPolicy(), group="leadership", channel=EMAIL)
        incident = report_incident(
            session, Report(kind, "登录服务中断", WHAT[kind], scope=SCOPES[kind]), lead
        )
        activate(session, incident, lead, "网关持续返回 502")
        service.record_milestone(session, incident.id, "user_notice", lead, note="已通知用户")
        tasks = tasks_of(session, incident.id)
        restore = next(t for t in tasks if t.kind == "restore")
        tasks_board.start_task(session, restore.id, lead)
        return incident.id, lead_name


def test_an_incident_reads_in_chinese(stack: Stack) -> None:
    incident_id, lead = _outage(stack)
    client = signed_in_as(stack, lead)
    page = client.get(f"/ui/incidents/{incident_id}", headers=ZH)
    assert page.status_code == 200
    html = page.text
    assert _text(html, "incident-status").strip() == "生效"
    assert 'title="I particularly serious"' not in html
    assert 'title="I 特别重大"' in html, "the grade's name"
    clocks = _text(html, "incident-clocks")
    for english in ("first internal report", "service restored", "running", "met", " left"):
        assert english not in clocks, english
    assert "首次内部报告" in clocks and "服务恢复" in clocks and "进行中" in clocks
    assert "剩余" in clocks or "超时" in clocks
    tasks = _text(html, "incident-tasks")
    for english in ("Restore the service", "technical response", "in progress", "logistics"):
        assert english not in tasks, english
    assert "恢复服务" in tasks and "技术响应" in tasks and "处理中" in tasks and "后勤保障" in tasks
    timeline = _text(html, "incident-timeline")
    events = " ".join(_column(html, "incident-timeline", 1))  # what happened, not the reasons
    for english in ("reported", "activated", "milestone", "task started", "user notice"):
        assert english not in events, english
    assert "已上报" in timeline and "已启动响应" in timeline and "用户通知" in timeline
    assert "statement.drafted" not in events and "已起草声明" in events
    assert "已通知用户" in timeline and "网关持续返回 502" in timeline, "notes as written"
    groups = _text(html, "incident-notifications")
    assert "incident.activated" not in groups and "已启动响应" in groups
    assert "领导层" in groups and "leadership" not in groups
    facts = _text(html, "incident-facts")
    assert "affected users" not in facts and "受影响用户" in facts
    assert "service interruption" not in facts and "服务中断" in facts
    milestones = _text(html, "milestone-kind")
    assert "user notice" not in milestones and "用户通知" in milestones
    kinds = _text(html, "attach-kind")
    assert "legal guide" not in kinds and "法律指引" in kinds
    assert 'value="legal_guide"' in html and 'value="user_notice"' in html, "codes stay codes"
    assert "登录服务中断" in html, "the title as typed"


def test_the_incident_list_reads_in_chinese(stack: Stack) -> None:
    incident_id, lead = _outage(stack)
    client = signed_in_as(stack, lead)
    html = client.get("/ui/incidents", headers=ZH).text
    row = re.search(rf'<tr data-incident="{incident_id}">(.*?)</tr>', html, re.S)
    assert row and ">active<" not in row.group(1) and "生效" in row.group(1)
    statuses = _text(html, "f-status")
    assert "dismissed" not in statuses and "已驳回" in statuses
    assert 'value="dismissed"' in html


def test_the_response_plan_form_reads_in_chinese(stack: Stack) -> None:
    client = signed_in_as(stack, stack.user("leadership"))
    html = client.get("/ui/response-plan", headers=ZH).text
    form = _text(html, "thresholds-form")
    assert "public statement" not in form and "公开声明" in form


CLOCK_NAMES = sorted(
    {c.name for p in PROFILES.values() for c in p.clocks}
    | {c.name for c in IncidentPolicy().clocks}
    | {"initial assessment"}
)
VALUES = (
    [("status", s.value) for s in IncidentStatus]
    + [("clock status", s.value) for s in ClockStatus]
    + [("task status", s.value) for s in TaskStatus]
    + [("group", g.value) for g in GroupKind]
    + [("type", t.value) for t in IncidentType]
    + [("milestone", m) for m in MILESTONES]
    + [("material", k) for k in KINDS]
    + [("clock", n) for n in CLOCK_NAMES]
    + [("task", t.title) for p in PROFILES.values() for t in p.tasks]
    # Any action can be in an incident's timeline: its posts' and cases' events are there too.
    + [("event", a.value) for a in Action]
    + [("grade", g) for g in range(1, 5)]
    + [("scope", f.name) for f in fields(Scope)]
    + [("statement status", s.value) for s in StatementStatus]
    + [("case status", s.value) for s in CaseStatus]
)


@pytest.mark.parametrize(("what", "value"), VALUES)
def test_every_incident_word_has_a_chinese_translation(what: str, value: str | int) -> None:
    english = words.word(what, value)
    with i18n.speaking(i18n.LANGUAGE[i18n.CHINESE]):
        chinese = str(i18n.translate(english))
    assert chinese != str(english) and re.search(r"[\u4e00-\u9fff]", chinese), (what, value)


@pytest.mark.parametrize("action", list(Action))
def test_every_event_has_chinese_words_in_the_report(action: Action) -> None:
    """The report (`report_pdf.coded`) words an event by its code; none stays a code."""
    chinese = coded(i18n.LANGUAGE[i18n.CHINESE].translations.gettext, action.value)
    assert chinese != action.value and re.search(r"[\u4e00-\u9fff]", chinese), action


def test_the_post_incident_report_reads_in_chinese(stack: Stack) -> None:
    """The report a responder opens from the incident's page, HTML and PDF, in the reader's
    language; what people wrote (the title, a lesson) as written."""
    incident_id, lead = _outage(stack)
    client = signed_in_as(stack, lead)
    html = client.get(f"/ui/incidents/{incident_id}/report", headers=ZH).text
    assert '<html lang="zh-Hans">' in html
    for english in ("Response against the plan", "Deadlines", "Plan step", "Leadership sign-off"):
        assert english not in html, english
    assert "对照预案的响应" in html and "时限" in html and "领导层签批" in html
    assert "服务恢复" in html and "进行中" in html, "a clock's name and status"
    assert ">incident.activated<" not in html and "已启动响应" in html
    assert ">statement.drafted<" not in html and "已起草声明" in html
    assert "登录服务中断" in html
    pdf = client.get(f"/ui/incidents/{incident_id}/report?format=pdf", headers=ZH)
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(BytesIO(pdf.content)).pages)
    assert "Responseagainsttheplan" not in text and "对照预案的响应" in text
    assert "Deadlines" not in text and "领导层签批" in text
    in_english = client.get(
        f"/ui/incidents/{incident_id}/report", headers={"accept-language": "en"}
    )
    assert "Response against the plan" in in_english.text
    assert "incident.activated" in in_english.text
    said = "deadline 'first internal report' running", "not reached: ", " min</td>"
    assert all(english in unescape(in_english.text) for english in said)
    assert "<td>grade 1</td>" in in_english.text


def test_what_the_report_says_itself_reads_in_chinese(stack: Stack) -> None:
    """The deviations, durations and timeline details the report writes (not what people
    wrote) in the reader's language, HTML and PDF."""
    incident_id, lead = _outage(stack)
    client = signed_in_as(stack, lead)
    html = unescape(client.get(f"/ui/incidents/{incident_id}/report", headers=ZH).text)
    deviations = re.search(r"<h2>5\..*?<ul>(.*?)</ul>", html, re.S)
    assert deviations and re.search(r"[\u4e00-\u9fff]", deviations.group(1))
    for english in ("deadline '", "not reached", "first internal report", " min<", " running"):
        assert english not in html, english
    assert "<td>grade 1</td>" not in html and "<td>等级 1</td>" in html
    assert "首次内部报告" in deviations.group(1) and "分钟" in html
    pdf = client.get(f"/ui/incidents/{incident_id}/report?format=pdf", headers=ZH)
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(BytesIO(pdf.content)).pages)
    for english in ("deadline'", "notreached", "grade1", "min"):
        assert english not in text, english


def test_the_notices_after_an_action_read_in_chinese(stack: Stack) -> None:
    from review_ui.incidents.pages import NOTICES

    incident_id, lead = _outage(stack)
    client = signed_in_as(stack, lead)
    for key, english in NOTICES.items():
        page = client.get(f"/ui/incidents/{incident_id}?notice={key}", headers=ZH).text
        notice = re.search(r'<p class="notice"[^>]*>(.*?)</p>', page, re.S)
        assert notice and english not in page, key
        assert re.search(r"[\u4e00-\u9fff]", notice.group(1)), key


def test_the_report_charts_read_in_chinese_with_every_glyph_drawn() -> None:
    from datetime import UTC, datetime

    from incidents.report import Report
    from incidents.report_charts import png, reach_chart, response_chart

    start = datetime(2026, 1, 1, tzinfo=UTC)
    report = Report(
        incident={},
        first_seen_at=start,
        timeline=[],
        durations_s={"report": 60.0, "restored": None},
        volumes={},
        sla={},
        agreement={},
        deadlines=[],
        deviations=[],
        reach_series=[(start, 5)],
        steps={"report": "first internal report", "restored": "service restored"},
    )
    chinese = i18n.LANGUAGE[i18n.CHINESE].translations.gettext
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns of each glyph its fonts lack
        for chart in (response_chart(report, chinese), reach_chart(report, chinese)):
            [ax] = chart.axes
            said = [ax.get_title(loc="left"), ax.get_xlabel(), ax.get_ylabel()]
            said += [label.get_text() for label in ax.get_yticklabels()]
            assert re.search(r"[\u4e00-\u9fff]", ax.get_title(loc="left")), said
            assert not re.search(r"[a-z]{3}", " ".join(said)), said
            png(chart)
    english = response_chart(report)
    assert english.axes[0].get_title(loc="left") == "Response times (grey: not reached)"
    assert [t.get_text() for t in english.axes[0].get_yticklabels()] == list(report.steps.values())


def test_notes_the_incidents_domain_writes_itself_read_in_chinese_and_typed_notes_stay(
    stack: Stack,
) -> None:
    """A minor report activates itself under the plan: its reason is the domain's own words,
    stored in English (the log's language) and shown in the reader's."""
    reporter = stack.user("leadership")
    who = Actor(reporter, ActorType.HUMAN, ("leadership",))
    kind = IncidentType.OTHER
    with transaction(stack.rt.sessions) as session:
        minor = Report(kind, "门禁读卡器故障", WHAT[kind], scope=Scope(affected_users=10))
        incident = report_incident(session, minor, who)
        service.record_milestone(session, incident.id, "user_notice", who, note="incident surge?")
        incident_id = incident.id
    client = signed_in_as(stack, reporter)
    reasons = _column(
        client.get(f"/ui/incidents/{incident_id}", headers=ZH).text, "incident-timeline", 3
    )
    assert "IV 一般：按预案无需决定，自动启动" in [r.strip() for r in reasons], "grade name too"
    assert not any("activates without a decision" in r for r in reasons)
    assert "incident surge?" in [r.strip() for r in reasons], "a person's note is shown as typed"
    english = _column(client.get(f"/ui/incidents/{incident_id}").text, "incident-timeline", 3)
    assert "grade IV ordinary: activates without a decision under the plan" in [
        r.strip() for r in english
    ]


def test_every_system_note_reads_back_into_its_message() -> None:
    from incidents import system_notes

    for note in system_notes.NOTES:
        fields = {name: f"x-{name}" for name in re.findall(r"\{(\w+)\}", note.template)}
        written = str(type(note)(note.template, **fields))  # what the log stores
        found = words.system_note(written)
        assert found is not None and (found.template, dict(found.params)) == (note.template, fields)
    assert words.system_note("a note a person typed") is None
    assert words.system_note(None) is None
