"""The response plan page in headless Chromium: every role reads the plan with the thresholds
and clocks it prints from the incident policy in force and its history; leadership changes a
clock, which saves a policy version the page then prints; a reviewer is refused the change."""

from __future__ import annotations

from typing import Any

from incidents.policy_store import active_incident_policy
from tests.review_ui.browsing import css, log_in, page_is, wait_for
from tests.review_ui.conftest import Stack, screenshot, signed_in, submit


def test_leadership_changes_a_clock_and_the_plan_prints_it(
    module_stack: Stack, live_url: str, browser: Any
) -> None:
    log_in(browser, live_url, module_stack.user("leadership"), "/ui/response-plan")
    page_is(browser, "response-plan")
    document = css(browser, "#plan-document").text
    assert "public statement: within 4 h (grade II or worse)" in document
    names = [e.get_attribute("for") for e in browser.find_elements("css selector", "label")]
    statement = next(
        f"#{n}"
        for n in names
        if n
        and n.startswith("clock-")
        and "public statement" in css(browser, f"label[for='{n}']").text
    )
    field = css(browser, statement)
    field.clear()
    field.send_keys("90")
    css(browser, "#t-note").send_keys("statements within 90 minutes after the drill")
    css(browser, "#thresholds-submit").click()
    wait_for(browser, lambda d: "Thresholds changed" in css(d, "p.notice").text)
    assert (
        "public statement: within 90 min (grade II or worse)" in css(browser, "#plan-document").text
    )
    assert css(browser, "#policy-version").text == "incident-v1"
    assert "incident-v1" in css(browser, "#policy-history").text
    assert "statements within 90 minutes" in css(browser, "#plan-history").text
    assert len(browser.find_elements("css selector", "p.notice")) == 1, "said once"
    assert browser.execute_script(  # the form stacks and the plan wraps: nothing runs off
        "return document.documentElement.scrollWidth <= window.innerWidth"
    )
    screenshot(browser, "68-response-plan-clock-changed")
    with module_stack.rt.sessions() as session:
        running = {c.name: c.within for c in active_incident_policy(session).clocks}
    assert running["public statement"].total_seconds() == 90 * 60


def test_a_reviewer_reads_the_plan_but_cannot_change_it(module_stack: Stack) -> None:
    client = signed_in(module_stack, "reviewer")
    page = client.get("/ui/response-plan")
    assert page.status_code == 200 and "plan-document" in page.text
    assert "thresholds-submit" not in page.text
    refused = submit(client, page, "/ui/response-plan/thresholds", min_posts="1", note="x")
    assert refused.status_code == 403


def test_a_bad_threshold_is_refused_with_the_reason(module_stack: Stack) -> None:
    client = signed_in(module_stack, "admin")
    page = client.get("/ui/response-plan")
    refused = submit(client, page, "/ui/response-plan/thresholds", min_posts="0", note="zero")
    assert refused.status_code == 422 and "min_posts" in refused.text
