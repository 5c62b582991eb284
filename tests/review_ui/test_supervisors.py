"""Senior reviewers and supervisors in headless Chromium (issue 19): the supervise page, bulk
decisions with a preview, QA sampling with agreement on the dashboard, blind second reviews
and correcting someone else's decision."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from audit.models import AuditEvent
from core.db import transaction
from pipeline import qa
from pipeline.models import Decision, EnforcementAction, ReviewCase
from pipeline.queue import claim_next
from tests.pipeline import factories
from tests.review_ui.browsing import css, keys, log_in, page_is, wait_for
from tests.review_ui.conftest import Stack, csrf_of, screenshot, signed_in, submit
from tests.review_ui.test_reviewer_console import (
    HOAX,
    PLAIN,
    case_of,
    give_case,
    lang,
    plain_posts,
    take_next,
)

pytestmark = pytest.mark.browser


def test_the_supervise_page_reads_plainly_and_offers_only_eligible_reviewers(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    from selenium.webdriver.support.ui import Select

    (post_id,) = plain_posts(module_stack, "supervise")
    reviewer, pr, lawyer = (module_stack.user(r) for r in ("reviewer", "pr", "legal"))
    log_in(browser, live_url, module_stack.user("senior_reviewer"), "/ui/supervise")
    page_is(browser, "supervise")
    case_id = case_of(module_stack, post_id).id
    row = css(browser, f"#case-{case_id}")
    assert "5G towers spread the plandemic" in row.text, "a post excerpt, not a hex id"
    chooser = Select(css(browser, f"#to-{case_id}"))
    assert chooser.first_selected_option.get_attribute("value") == ""
    assert "Choose a reviewer" in chooser.first_selected_option.text
    offered = {o.get_attribute("value") for o in chooser.options}
    assert reviewer in offered and pr not in offered and lawyer not in offered
    showing = css(browser, "#showing").text
    assert showing.startswith("(showing ") and " of " in showing
    assert css(browser, "#oldest-age").text.endswith(("min", "days"))
    assert reviewer in css(browser, "#reviewer-figures").text
    css(browser, f"#reassign-{case_id}").click()  # nobody chosen: refused with the reason
    wait_for(browser, lambda d: "Choose an active reviewer" in css(d, "#reassign-error").text)
    screenshot(browser, "80-supervise-readable")


def test_a_senior_previews_and_applies_a_bulk_decision_each_logged(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    first, second, held = plain_posts(module_stack, "bulk one", "bulk two", "bulk held")
    other = module_stack.user("reviewer")
    give_case(module_stack, held, "boss", other)
    senior = module_stack.user("senior_reviewer")
    log_in(browser, live_url, senior, "/ui/supervise")
    page_is(browser, "supervise")
    from selenium.webdriver.support.ui import Select

    ticked = [case_of(module_stack, p).id for p in (first, second, held)]
    for case_id in ticked:
        css(browser, f'#case-{case_id} input[name="case_ids"]').click()
    Select(css(browser, "#bulk-action")).select_by_value("reduce_reach")
    Select(css(browser, "#bulk-reason")).select_by_value("false_claim")
    css(browser, "#bulk-note").send_keys("coordinated 5G wave")
    css(browser, "#bulk-preview").click()
    page_is(browser, "supervise-bulk")
    plan = css(browser, "#bulk-plan").text
    assert plan.count("reduce reach (false claim)") == 2 and f"skipped: held by {other}" in plan
    screenshot(browser, "81-bulk-preview")
    css(browser, "#bulk-apply").click()
    browser.switch_to.alert.accept()
    page_is(browser, "supervise")
    assert "Bulk decision applied to 2 cases." in css(browser, "main").text
    screenshot(browser, "82-bulk-applied")
    module_stack.dispatcher.drain()
    with module_stack.rt.sessions() as session:
        decided = session.scalars(select(Decision).where(Decision.case_id.in_(ticked[:2]))).all()
        assert {d.decided_by for d in decided} == {senior} and len(decided) == 2
        logged = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "case.decided", AuditEvent.case_id.in_(ticked))
        )
        assert logged == 2, "each case is its own logged decision"
        assert session.get(ReviewCase, ticked[2]).claimed_by == other  # type: ignore[union-attr]


def test_a_bulk_decision_is_capped(module_stack: Stack) -> None:
    client = signed_in(module_stack, "senior_reviewer")
    token = csrf_of(client.get("/ui/supervise").text)
    refused = client.post(
        "/ui/supervise/bulk/preview",
        data={
            "csrf_token": token,
            "action": "remove",
            "reason_code": "false_claim",
            "case_ids": [f"c{i}" for i in range(51)],
        },
    )
    assert refused.status_code == 422 and "At most 50 cases" in refused.text
    reviewer = signed_in(module_stack, "reviewer")
    forbidden = submit(
        reviewer, reviewer.get("/ui/review"), "/ui/supervise/bulk/preview", case_ids=["x"]
    )
    assert forbidden.status_code == 403


def test_a_second_review_is_blind_and_shows_why_it_came(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    from selenium.webdriver.common.keys import Keys

    code = lang()
    module_stack.queue_posts([PLAIN + " viral"], lang=code, views=250_000)
    first = module_stack.user("reviewer")
    log_in(browser, live_url, first)
    take_next(browser, live_url, code)
    keys(browser, "1", "r", Keys.ENTER)
    page_is(browser, "review-decision")
    assert "second reviewer" in css(browser, "#enforcement-status").text
    log_in(browser, live_url, module_stack.user("reviewer"))
    take_next(browser, live_url, code)
    assert "high-reach removal (at least 100,000 views)" in css(browser, "#case-stage").text
    history = css(browser, "#case-history").text
    assert first in history and "verdict hidden" in history and "remove" not in history
    assert first in css(browser, "#first-reviewer").text
    screenshot(browser, "83-second-review-blind")


def test_qa_sampling_sends_decisions_to_a_blind_queue_and_the_dashboard_shows_agreement(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    from selenium.webdriver.common.keys import Keys

    senior = module_stack.user("senior_reviewer")
    log_in(browser, live_url, senior, "/ui/dashboards")
    page_is(browser, "dashboards")
    field = css(browser, "#qa-percent")
    field.clear()
    field.send_keys("100")
    css(browser, "#qa-save").click()
    wait_for(browser, lambda d: "QA sampling saved" in css(d, "main").text)
    try:
        code = lang()
        module_stack.queue_posts([HOAX + " qa"], lang=code)
        original = module_stack.user("reviewer")
        log_in(browser, live_url, original)
        take_next(browser, live_url, code)
        keys(browser, "v", "1", "r", Keys.ENTER)
        page_is(browser, "review-decision")  # its own QA sample is never offered to it

        checker = module_stack.user("reviewer")
        log_in(browser, live_url, checker)
        take_next(browser, live_url, code)
        assert "QA sample" in css(browser, "#case-stage").text
        assert "verdict hidden" in css(browser, "#case-history").text
        assert not browser.find_elements("css selector", "#escalate-case")
        screenshot(browser, "84-qa-sample-blind")
        keys(browser, "v", "5", "x", Keys.ENTER)
        page_is(browser, "review-overview")
        assert "QA verdict recorded" in css(browser, "main").text
    finally:
        with transaction(module_stack.rt.sessions) as session:
            qa.set_sampling_fraction(session, 0.0, factories.reviewer(senior, "senior_reviewer"))
    with module_stack.rt.sessions() as session:
        removals = session.scalar(
            select(func.count())
            .select_from(EnforcementAction)
            .join(Decision, Decision.id == EnforcementAction.decision_id)
            .where(Decision.decided_by == checker)
        )
        assert removals == 0, "a QA verdict changes nothing on the platform"

    log_in(browser, live_url, senior, "/ui/dashboards")
    page_is(browser, "dashboards")
    assert css(browser, "#qa-agreement").text.endswith("%")
    per = css(browser, "#qa-per-reviewer").text
    assert original in per and "0%" in per
    screenshot(browser, "85-dashboard-qa-agreement")
    browser.get(live_url + "/ui/supervise")
    assert "0% of 1" in css(browser, f"#figures-{original}").text
    browser.get(live_url + "/ui/decisions")
    page_is(browser, "decisions")
    assert "disagreed: no action" in css(browser, "#recent-decisions").text


def test_a_senior_corrects_a_reviewers_removal_to_a_label(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    code = lang()
    (post_id,) = module_stack.queue_posts([PLAIN + " correct me"], lang=code)
    reviewer = factories.reviewer(module_stack.user("reviewer"), "reviewer")
    from pipeline.decisions import decide
    from pipeline.queue import QueueFilter
    from pipeline.schemas import DecisionAction, DecisionIn, ReasonCode

    with transaction(module_stack.rt.sessions) as session:
        case = claim_next(session, reviewer, filters=QueueFilter(lang=code))
        assert case is not None
        made = decide(
            session,
            case.id,
            reviewer,
            DecisionIn(reason_code=ReasonCode.FALSE_CLAIM, action=DecisionAction.REMOVE),
        )
        decision_id = made.id
    module_stack.dispatcher.drain()
    log_in(browser, live_url, module_stack.user("senior_reviewer"), "/ui/decisions")
    page_is(browser, "decisions")
    css(browser, f"#correct-{decision_id}").click()
    page_is(browser, "decision-correct")
    css(browser, "#action-label").click()
    browser.find_element(
        "css selector", 'input[name="reason_code"][value="misleading_context"]'
    ).click()
    css(browser, "#note").send_keys("Missing context: the photo is from 2019")
    css(browser, "#why").send_keys("A label is proportionate here")
    screenshot(browser, "86-correct-form")
    css(browser, "#apply-correction").click()
    browser.switch_to.alert.accept()
    wait_for(browser, lambda d: "Decision corrected" in css(d, "main").text)
    module_stack.dispatcher.drain()
    with module_stack.rt.sessions() as session:
        actions = [
            a.action
            for a in session.scalars(
                select(EnforcementAction).where(EnforcementAction.post_id == post_id)
            )
        ]
        logged = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "case.decision_corrected", AuditEvent.post_id == post_id)
        )
    assert sorted(actions) == ["label", "remove", "undo"] and logged == 1
    screenshot(browser, "87-decision-corrected")


def test_preview_and_apply_read_the_bulk_form_alike(module_stack: Stack) -> None:
    client = signed_in(module_stack, "senior_reviewer")
    token = csrf_of(client.get("/ui/supervise").text)
    label = {"csrf_token": token, "action": "label", "reason_code": "false_claim"}
    for step in ("preview", "apply"):
        refused = client.post(f"/ui/supervise/bulk/{step}", data=label | {"case_ids": ["c1"]})
        assert refused.status_code == 422 and "The bulk decision is incomplete" in refused.text
        assert "note" in refused.text, "the reason, the same on both steps"
        nothing = client.post(f"/ui/supervise/bulk/{step}", data={"csrf_token": token})
        assert nothing.status_code == 422 and "Choose an action and a reason" in nothing.text
    reviewer = signed_in(module_stack, "reviewer")
    forbidden = submit(
        reviewer, reviewer.get("/ui/review"), "/ui/supervise/bulk/apply", action="nonsense"
    )
    assert forbidden.status_code == 403, "the role is checked before the form is read"
