"""Incidents in the UI, in headless Chromium: leadership reports, assesses, activates, adds a
milestone, attaches a material and closes with lessons, then returns and signs off the report; a
reviewer sees the incident on a case it covers and is refused leadership's actions on the server;
the list filters."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from core.actors import Actor, ActorType
from core.db import transaction
from incidents.drill_types import SCOPES, WHAT
from incidents.material_models import AttachmentLink, ReportReview
from incidents.models import Incident, IncidentTask, Lesson
from incidents.response import Report, activate, report_incident
from incidents.types import IncidentType
from pipeline.models import ReviewCase
from runtime.drill_run import run_chain_drill
from tests.review_ui.browsing import css, keys, log_in, page_is, wait_for
from tests.review_ui.conftest import Stack, browser_client, csrf_of, screenshot, sign_in, submit

OUTAGE_TEXT = "Users cannot sign in on web and app; the auth gateway answers 502."


def _fill(driver: Any, selector: str, text: str) -> None:
    field = css(driver, selector)
    field.clear()
    field.send_keys(text)


def _submit(driver: Any, button: str, confirm: bool = False) -> None:
    css(driver, button).click()
    if confirm:
        wait_for(driver, lambda d: d.switch_to.alert).accept()


def shot(driver: Any, name: str) -> None:
    driver.execute_script("window.scrollTo(0, 0)")
    screenshot(driver, name)


def _notice(driver: Any, text: str) -> None:
    wait_for(driver, lambda d: text in css(d, "p.notice").text)


def test_leadership_reports_assesses_activates_and_closes_an_incident(
    module_stack: Stack, live_url: str, browser: Any, tmp_path: Path
) -> None:
    lead = module_stack.user("leadership")
    log_in(browser, live_url, lead, "/ui/incidents")
    page_is(browser, "incidents")
    css(browser, "#r-type option[value='outage']").click()
    _fill(browser, "#r-title", "Login service down")
    _fill(browser, "#r-what", OUTAGE_TEXT)
    _fill(browser, "#r-where", "auth gateway, eu-west")
    _fill(browser, "#r-users", "2000000")
    _fill(browser, "#r-services", "login, app")
    _fill(browser, "#r-regions", "DE, FR")
    shot(browser, "incidents_list_report_form")
    _submit(browser, "#report-submit")
    page_is(browser, "incident")
    _notice(browser, "Reported")
    assert css(browser, "#incident-status").get_attribute("textContent") == "reported"
    assert "Awaiting leadership" in css(browser, "#awaiting-decision").text
    shot(browser, "incidents_reported")
    incident_id = browser.current_url.split("/ui/incidents/")[1].split("?")[0]

    css(browser, "#assess-grade option[value='2']").click()
    _fill(browser, "#assess-reason", "two million users cannot sign in")
    _submit(browser, "#assess-submit")
    _notice(browser, "Assessment recorded")
    assert css(browser, "#incident-grade").get_attribute("textContent") == "grade II"

    _fill(browser, "#activate-reason", "restore sign-in and tell users")
    _submit(browser, "#activate-submit")
    _notice(browser, "Activated")
    assert css(browser, "#incident-status").get_attribute("textContent") == "active"
    assert css(browser, "#incident-owner").text == lead
    tasks = css(browser, "#incident-tasks").text
    assert "Restore the service" in tasks and "Notify users of the outage" in tasks
    shot(browser, "incidents_active")
    browser.execute_script("document.getElementById('incident-tasks').scrollIntoView()")
    screenshot(browser, "incidents_active_tasks")

    css(browser, "#milestone-kind option[value='user_notice']").click()
    _fill(browser, "#milestone-note", "status page updated")
    _submit(browser, "#milestone-submit")
    _notice(browser, "Milestone recorded")
    assert "milestone: user notice" in css(browser, "#incident-timeline").text

    guide = tmp_path / "outage-runbook.md"
    guide.write_text("# Outage runbook\nRestore, then tell users.\n", encoding="utf-8")
    css(browser, "#attach-file").send_keys(str(guide))
    _fill(browser, "#attach-title", "Outage runbook")
    css(browser, "#attach-kind option[value='process_document']").click()
    _submit(browser, "#attach-submit")
    _notice(browser, "Material attached")
    assert "Outage runbook" in css(browser, "#incident-materials").text

    _fill(browser, "#close-lessons", "Status page first\nPage the gateway team sooner")
    _fill(browser, "#close-reason", "service restored, users told")
    _submit(browser, "#close-submit", confirm=True)
    _notice(browser, "Closed")
    assert css(browser, "#incident-status").get_attribute("textContent") == "closed"
    assert "lesson recorded" in css(browser, "#incident-timeline").text
    shot(browser, "incidents_closed")
    css(browser, "#report-html").click()
    wait_for(browser, lambda d: "Login service down" in d.find_element("tag name", "h1").text)
    assert "Lessons" in browser.page_source or "lesson" in browser.page_source.lower()
    shot(browser, "incidents_report")
    with module_stack.rt.sessions() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.status == "closed" and incident.grade == 2
        lessons = session.scalars(select(Lesson.text).where(Lesson.incident_id == incident_id))
        assert sorted(lessons) == ["Page the gateway team sooner", "Status page first"]
        assert session.scalars(
            select(AttachmentLink).where(AttachmentLink.incident_id == incident_id)
        ).one()
        done = session.scalars(
            select(IncidentTask.status).where(
                IncidentTask.incident_id == incident_id, IncidentTask.kind == "user_notice"
            )
        ).one()
        assert done == "done"  # the milestone finished the task that stands for it

    browser.get(f"{live_url}/ui/incidents?type=outage&status=closed")
    page_is(browser, "incidents")
    assert "Login service down" in css(browser, "#incident-list").text
    shot(browser, "incidents_list_filtered")
    browser.get(f"{live_url}/ui/incidents?type=security")
    assert "Login service down" not in css(browser, "#incident-list").text


def _incident_on_case(stack: Stack) -> tuple[str, str]:
    """A reported incident whose key covers a queued case's post (as detection links them)."""
    post_id = stack.queue_posts(
        [f"5G towers spread the plandemic, microchip truth exposed {uuid.uuid4().hex[:6]}"]
    )[0]
    lead = Actor("lead-x", ActorType.HUMAN, ("leadership",))
    wave = IncidentType.MISINFORMATION  # grade I (reach, health, ten regions): leadership decides
    report = Report(wave, "Microchip wave", WHAT[wave], scope=SCOPES[wave])
    with transaction(stack.rt.sessions) as session:
        incident = report_incident(session, report, lead)
        case = session.scalars(select(ReviewCase).where(ReviewCase.post_id == post_id)).one()
        case.incident_id = incident.id
        return incident.id, case.id


def test_a_reviewer_sees_the_incident_on_a_case_it_covers(
    module_stack: Stack, live_url: str, browser: Any
) -> None:
    incident_id, case_id = _incident_on_case(module_stack)
    with module_stack.rt.sessions() as session:
        found = session.get(ReviewCase, case_id)
        assert found is not None
        post_id = found.post_id
    log_in(browser, live_url, module_stack.user("reviewer"), "/ui/review")
    keys(browser, "n")  # the next case: the only one queued in this module
    page_is(browser, "review-case")
    banner = css(browser, "#incident-banner")
    assert "Microchip wave" in banner.text
    shot(browser, "incidents_case_banner")
    css(browser, "#incident-banner-link").click()
    page_is(browser, "incident")
    assert browser.current_url.endswith(f"/ui/incidents/{incident_id}")
    assert post_id in css(browser, "#incident-cases").text  # the case it covers is listed
    # A reviewer reads the incident but has no leadership form on it.
    assert not browser.find_elements("css selector", "#assess-form")
    assert not browser.find_elements("css selector", "#close-form")
    shot(browser, "incidents_detail_reviewer")


def test_a_reviewer_is_refused_leadership_actions_on_the_server(module_stack: Stack) -> None:
    incident_id, _ = _incident_on_case(module_stack)
    client: TestClient = browser_client(module_stack)
    assert sign_in(client, module_stack.user("reviewer")).status_code == 303
    token = csrf_of(client.get(f"/ui/incidents/{incident_id}").text)
    for action, data in (
        ("assess", {"grade": "1", "reason": "x"}),
        ("activate", {"reason": "x"}),
        ("dismiss", {"reason": "x"}),
        ("grade", {"grade": "1", "reason": "x"}),
        ("close", {"reason": "x", "lessons": "x"}),
        ("milestones", {"kind": "containment"}),
    ):
        refused = client.post(
            f"/ui/incidents/{incident_id}/{action}", data={**data, "csrf_token": token}
        )
        assert refused.status_code == 403, action
        assert "not part of your role" in refused.text
    assert client.get(f"/ui/incidents/{incident_id}/report").status_code == 403
    with module_stack.rt.sessions() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.status == "reported"
        assert incident.decided_by is None and not incident.grade_locked


def test_a_report_is_refused_with_each_reason_and_keeps_what_was_typed(
    module_stack: Stack,
) -> None:
    client = browser_client(module_stack)
    assert sign_in(client, module_stack.user("pr")).status_code == 303
    token = csrf_of(client.get("/ui/incidents").text)
    form = {"type": "data_leak", "title": "Bucket open", "what": "short", "regions": "Narnia!"}
    refused = client.post("/ui/incidents", data={**form, "csrf_token": token})
    assert refused.status_code == 422
    assert "what:" in refused.text and "regions" in refused.text
    assert 'value="Bucket open"' in refused.text


def test_a_group_works_its_task_from_the_incident_page_and_others_are_refused(
    module_stack: Stack,
) -> None:
    outage = IncidentType.OUTAGE
    lead = Actor("lead-y", ActorType.HUMAN, ("leadership",))
    with transaction(module_stack.rt.sessions) as session:
        made = report_incident(session, Report(outage, "Checkout down", WHAT[outage]), lead)
        if made.status == "reported":
            activate(session, made, lead, "restore checkout")
        incident_id = made.id
        restore = session.scalars(
            select(IncidentTask.id).where(
                IncidentTask.incident_id == incident_id, IncidentTask.kind == "restore"
            )
        ).one()
    pr = browser_client(module_stack)
    assert sign_in(pr, module_stack.user("pr")).status_code == 303
    token = csrf_of(pr.get(f"/ui/incidents/{incident_id}").text)
    refused = pr.post(f"/ui/incidents/tasks/{restore}/start", data={"csrf_token": token})
    assert refused.status_code == 403 and "technical_response group" in refused.text
    tech = browser_client(module_stack)
    assert sign_in(tech, module_stack.user("technical_response")).status_code == 303
    token = csrf_of(tech.get(f"/ui/incidents/{incident_id}").text)
    for step in ("start", "done"):
        worked = tech.post(
            f"/ui/incidents/tasks/{restore}/{step}",
            data={"csrf_token": token},
            follow_redirects=False,
        )
        assert worked.status_code == 303, worked.text
    page = tech.get(f"/ui/incidents/{incident_id}").text
    assert "milestone: recovery" in page and "task done: Restore the service" in page
    pdf = tech.get(f"/ui/incidents/{incident_id}/report?format=pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    with module_stack.rt.sessions() as session:
        found = session.get(Incident, incident_id)
        assert found is not None and found.status == "recovered"


def test_drill_incidents_are_listed_only_when_asked_for(module_stack: Stack) -> None:
    run_chain_drill(module_stack.rt, IncidentType.DATA_LEAK, with_incident_report=False)
    client = browser_client(module_stack)
    assert sign_in(client, module_stack.user("leadership")).status_code == 303
    assert "Drill: data leak" not in client.get("/ui/incidents").text
    shown = client.get("/ui/incidents?type=data_leak&drills=on").text
    assert "Drill: data leak" in shown and '<span class="tag">drill</span>' in shown


def test_a_report_from_the_form_keeps_when_where_and_scope(module_stack: Stack) -> None:
    client = browser_client(module_stack)
    assert sign_in(client, module_stack.user("technical_response")).status_code == 303
    token = csrf_of(client.get("/ui/incidents").text)
    form = {
        "type": "security",
        "title": "Admin logins from one range",
        "what": "Unknown logins to admin accounts from 203.0.113.0/24.",
        "when": "2026-11-29T08:00",
        "where": "admin console",
        "affected_users": "12,000",
        "regions": "de, fr",
        "personal_data": "on",
        "csrf_token": token,
    }
    made = client.post("/ui/incidents", data=form, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"].endswith("?notice=reported")
    incident_id = made.headers["location"].split("/")[-1].split("?")[0]
    with module_stack.rt.sessions() as session:
        found = session.get(Incident, incident_id)
        assert found is not None and found.type == "security" and found.location == "admin console"
        assert found.occurred_at is not None and found.occurred_at.hour == 8
        assert found.scope and found.scope["affected_users"] == 12_000
        assert found.scope["personal_data"] is True and found.scope["ongoing"] is False
        assert found.regions == ["DE", "FR"]
        assert (found.reported_by or "").startswith("technical_response")


def test_leadership_dismisses_with_a_reason_and_an_admin_regrades(module_stack: Stack) -> None:
    first, _ = _incident_on_case(module_stack)
    second, _ = _incident_on_case(module_stack)
    lead = browser_client(module_stack)
    assert sign_in(lead, module_stack.user("leadership")).status_code == 303
    token = csrf_of(lead.get(f"/ui/incidents/{first}").text)
    unexplained = lead.post(f"/ui/incidents/{first}/dismiss", data={"csrf_token": token})
    assert unexplained.status_code == 422 and "a dismissal needs a reason" in unexplained.text
    dismissed = lead.post(
        f"/ui/incidents/{first}/dismiss",
        data={"csrf_token": token, "reason": "a satire account, no spread"},
        follow_redirects=False,
    )
    assert dismissed.status_code == 303
    page = lead.get(dismissed.headers["location"]).text
    assert "Dismissed; its clocks are cancelled." in page and "clock cancelled" in page
    admin = browser_client(module_stack)
    assert sign_in(admin, module_stack.user("admin")).status_code == 303
    token = csrf_of(admin.get(f"/ui/incidents/{second}").text)
    regraded = admin.post(
        f"/ui/incidents/{second}/grade",
        data={"csrf_token": token, "grade": "3", "reason": "reach was counted twice"},
        follow_redirects=False,
    )
    assert regraded.status_code == 303
    with module_stack.rt.sessions() as session:
        one, two = session.get(Incident, first), session.get(Incident, second)
        assert one is not None and one.status == "dismissed"
        assert one.decision_reason == "a satire account, no spread"
        assert two is not None and two.grade == 3 and two.grade_locked


def _recovered_outage(stack: Stack, title: str) -> str:
    """An outage whose service is restored: its report awaits leadership's review."""
    from incidents.service import record_milestone

    outage = IncidentType.OUTAGE
    lead = Actor("lead-z", ActorType.HUMAN, ("leadership",))
    with transaction(stack.rt.sessions) as session:
        made = report_incident(session, Report(outage, title, WHAT[outage]), lead)
        if made.status == "reported":
            activate(session, made, lead, "restore checkout")
        record_milestone(session, made.id, "recovery", lead)
        return made.id


def test_leadership_returns_then_signs_off_the_report_from_the_incident_page(
    module_stack: Stack, live_url: str, browser: Any
) -> None:
    incident_id = _recovered_outage(module_stack, "Checkout down, restored")
    log_in(browser, live_url, module_stack.user("leadership"), f"/ui/incidents/{incident_id}")
    page_is(browser, "incident")
    assert "Awaiting leadership's sign-off" in css(browser, "#report-review").text
    _submit(browser, "#return-submit", confirm=True)  # a return without a comment is refused
    wait_for(browser, lambda d: d.find_elements("css selector", "#incident-error"))
    assert "needs a comment" in css(browser, "#incident-error").text
    _fill(browser, "#review-comment", "Add the gateway timeline")
    _submit(browser, "#return-submit", confirm=True)
    _notice(browser, "Report returned")
    assert "Returned by" in css(browser, "#report-review").text
    assert "Add the gateway timeline" in css(browser, "#report-review").text
    shot(browser, "incidents_report_returned")
    _fill(browser, "#review-comment", "Timeline added; approved")
    _submit(browser, "#signoff-submit", confirm=True)
    _notice(browser, "Report signed off")
    review = css(browser, "#report-review")
    assert review.get_attribute("data-state") == "report_signed_off"
    assert "Signed off by" in review.text and "SHA-256" in review.text
    assert not browser.find_elements("css selector", "#review-form")  # signed off: final
    shot(browser, "incidents_report_signed_off")
    with module_stack.rt.sessions() as session:
        decisions = session.scalars(
            select(ReportReview.decision)
            .where(ReportReview.incident_id == incident_id)
            .order_by(ReportReview.at)
        ).all()
        assert decisions == ["report_returned", "report_signed_off"]


def test_only_leadership_reviews_the_report_on_the_server(module_stack: Stack) -> None:
    incident_id = _recovered_outage(module_stack, "Checkout down, for the admin")
    for role in ("admin", "technical_response"):
        client = browser_client(module_stack)
        assert sign_in(client, module_stack.user(role)).status_code == 303
        page = client.get(f"/ui/incidents/{incident_id}").text
        assert 'id="review-form"' not in page
        refused = submit(
            client,
            page,
            f"/ui/incidents/{incident_id}/report/review",
            decision="sign_off",
            comment="",
        )
        assert refused.status_code == 403 and "not part of your role" in refused.text, role
    lead = browser_client(module_stack)
    assert sign_in(lead, module_stack.user("leadership")).status_code == 303
    active = _recovered_outage(module_stack, "Checkout down again")
    with transaction(module_stack.rt.sessions) as session:
        found = session.get(Incident, active)
        assert found is not None
        found.status = "active"  # not over yet: the service refuses a review
    token = csrf_of(lead.get(f"/ui/incidents/{active}").text)
    early = lead.post(
        f"/ui/incidents/{active}/report/review",
        data={"decision": "sign_off", "csrf_token": token},
    )
    assert early.status_code == 409 and "recovered or closed" in early.text
    with module_stack.rt.sessions() as session:
        reviews = select(ReportReview).where(ReportReview.incident_id.in_([incident_id, active]))
        assert session.scalars(reviews).all() == []
