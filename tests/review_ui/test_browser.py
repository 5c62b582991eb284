"""The review UI in headless Chromium: sign in, work cases by keyboard, roles, CSRF."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.models import Decision
from tests.review_ui.browsing import css, keys, log_in, page_is, type_note, wait_for
from tests.review_ui.conftest import Stack, screenshot

pytestmark = pytest.mark.browser

POSTS = [
    "Miracle cure: garlic and bleach kill the virus, share before they delete it!!",
    "5G towers spread the plandemic, the secret microchip truth exposed",
    "SHOCKING hoax!! they don't want you to see the bodies and blood in the streets",
]


def test_reviewer_works_three_cases_by_keyboard(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    from selenium.webdriver.common.keys import Keys

    module_stack.queue_posts(POSTS, author_id="author-77", views=1200, shares=40)
    reviewer = module_stack.user("reviewer")
    screenshot_login = True
    browser.delete_all_cookies()
    browser.get(live_url + "/ui/login")
    if screenshot_login:
        screenshot(browser, "01-login")
    log_in(browser, live_url, reviewer)
    page_is(browser, "review-overview")
    assert int(css(browser, "#depth-urgent").text) >= 3
    screenshot(browser, "02-review-queue")

    decided: list[str] = []
    # Case 1: reason 1 (false claim), r (remove), Enter.
    keys(browser, "n")
    page_is(browser, "review-case")
    assert browser.find_elements("css selector", "#post-text mark.raises"), (
        "reason phrases highlighted"
    )
    assert css(browser, "#lease-timer").text.endswith("left")
    keys(browser, "?")
    wait_for(browser, lambda d: css(d, "#shortcut-help").is_displayed())
    screenshot(browser, "03-shortcut-help")
    keys(browser, Keys.ESCAPE)
    wait_for(browser, lambda d: not css(d, "#shortcut-help").is_displayed())
    _maybe_reveal(browser)
    screenshot(browser, "04-review-case")
    left = browser.current_url
    keys(browser, "1", "r", Keys.ENTER)
    wait_for(browser, lambda d: d.current_url != left)
    # No page between cases: the next case opens at once, the last decision's status on top.
    page_is(browser, "review-case")
    wait_for(browser, lambda d: css(d, "#enforcement-status").text.startswith("confirmed"))
    decided.append(css(browser, "#decision-action").text)
    screenshot(browser, "05-removal-confirmed-next-case")

    # Case 2: reason 2 (misleading context), l (label) with its note, Ctrl+Enter from the note.
    _maybe_reveal(browser)
    keys(browser, "2", "l")
    type_note(browser, "Independent fact-checkers rated this false.")
    from selenium.webdriver.common.action_chains import ActionChains

    left = browser.current_url

    ActionChains(browser).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(
        Keys.CONTROL
    ).perform()
    wait_for(browser, lambda d: d.current_url != left)
    page_is(browser, "review-case")
    wait_for(browser, lambda d: css(d, "#enforcement-status").text.startswith("confirmed"))
    decided.append(css(browser, "#decision-action").text)

    # Case 3, the last: reason 5 (not misinformation), x (no action), Enter; the queue is
    # empty, so the decision's own page says so.
    _maybe_reveal(browser)
    keys(browser, "5", "x", Keys.ENTER)
    page_is(browser, "review-decision")
    decided.append(css(browser, "#decision-action").text)
    assert css(browser, "#enforcement-status").text == "nothing to enforce"
    assert css(browser, "#shift-decided").text == "3"
    screenshot(browser, "06-decision-no-action")

    assert decided == ["remove", "label", "no action"]
    applied = {a["action"] for a in module_stack.receiver.actions_applied()}
    assert {"remove", "label"} <= applied
    with module_stack.rt.sessions() as session:
        mine = session.query(Decision).filter(Decision.decided_by == reviewer).all()
    assert sorted(d.action for d in mine) == ["label", "no_action", "remove"]

    keys(browser, "n")
    page_is(browser, "review-overview")
    assert "queue is empty" in css(browser, "main").text


def _maybe_reveal(driver: Any) -> None:
    """A post with sensitive words arrives blurred; `v` reveals it."""
    body = css(driver, "#post-text")
    if body.get_attribute("data-blurred") == "true":
        assert "blur" in body.find_element("tag name", "p").value_of_css_property("filter")
        screenshot(driver, "04b-sensitive-blurred")
        keys(driver, "v")
        wait_for(driver, lambda d: css(d, "#post-text").get_attribute("data-blurred") == "false")


def test_a_decision_missing_its_reason_is_refused_with_a_clear_message(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    from selenium.webdriver.common.keys import Keys

    module_stack.queue_posts(["Bill Gates microchip hoax exposed, share before it is banned!!"])
    log_in(browser, live_url, module_stack.user("senior_reviewer"))
    keys(browser, "n")
    page_is(browser, "review-case")
    keys(browser, "r", Keys.ENTER)
    error = wait_for(browser, lambda d: css(d, "#decision-error"))
    assert "Choose a reason" in error.text
    keys(browser, "u")
    page_is(browser, "review-overview")
    assert "released" in css(browser, "main").text


def test_each_role_is_refused_the_pages_of_the_others(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    homes = {
        "reviewer": "/ui/review",
        "senior_reviewer": "/ui/review",
        "pr": "/ui/pr",
        "legal": "/ui/legal",
        "admin": "/ui/admin",
    }
    # Legal also works the cases escalated to it in the review workspace.
    also = {"legal": {"/ui/review"}}
    for role, home in homes.items():
        log_in(browser, live_url, module_stack.user(role))
        assert browser.current_url == live_url + home
        screenshot(browser, f"10-home-{role}")
        refused = (
            {"/ui/review", "/ui/pr", "/ui/legal", "/ui/admin"} - {home} - also.get(role, set())
        )
        for other in sorted(refused):
            browser.get(live_url + other)
            page_is(browser, "refused")
        screenshot(browser, f"11-refused-{role}")


def test_a_forged_form_without_the_csrf_token_is_refused(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    log_in(browser, live_url, module_stack.user("reviewer"))
    browser.execute_script(
        """
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/ui/review/next';
        document.body.appendChild(form);
        form.submit();
        """
    )
    page_is(browser, "refused")
    assert "security token" in css(browser, "main").text
    screenshot(browser, "12-csrf-refused")


def test_dashboards_and_admin_render(browser: Any, live_url: str, module_stack: Stack) -> None:
    log_in(browser, live_url, module_stack.user("senior_reviewer"), "/ui/dashboards")
    page_is(browser, "dashboards")
    assert browser.find_elements("css selector", "svg.chart rect.bar")
    screenshot(browser, "20-dashboards")
    log_in(browser, live_url, module_stack.user("admin"))
    page_is(browser, "admin")
    screenshot(browser, "30-admin")


def test_pr_drafts_edits_with_a_diff_gets_approval_and_publishes(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    from selenium.webdriver.support.ui import Select

    from tests.statements.helpers import false_claim

    claim = false_claim(module_stack.rt)
    writer, approver = module_stack.user("pr"), module_stack.user("pr")
    log_in(browser, live_url, writer)
    page_is(browser, "pr")
    Select(css(browser, "#kind")).select_by_value("counter_statement")
    css(browser, "#claim_id").send_keys(claim.id)
    css(browser, "#draft-submit").click()
    page_is(browser, "pr-statement")
    assert css(browser, "#statement-status").text == "draft"
    statement_url = browser.current_url.split("?")[0]
    screenshot(browser, "40-pr-draft")

    body = css(browser, "#body")
    body.send_keys(" Updated with the health ministry's latest guidance.")
    css(browser, "#edit-note").send_keys("add guidance")
    css(browser, "#save-version").click()
    wait_for(browser, lambda d: "Saved as a new version" in css(d, "main").text)
    added = " ".join(e.text for e in browser.find_elements("css selector", "#diff ins"))
    assert "latest guidance" in added
    versions = css(browser, 'section[aria-labelledby="versions-title"]').text
    assert "v1 by" in versions and "v2 by" in versions
    assert css(browser, "#checks-title").text.startswith("Checks: ")
    screenshot(browser, "41-pr-edit-diff")

    css(browser, "#approve").click()  # the editor cannot approve their own version
    error = wait_for(browser, lambda d: css(d, "#statement-error"))
    assert "second person" in error.text

    log_in(browser, live_url, approver)
    browser.get(statement_url)
    css(browser, "#approve").click()
    wait_for(browser, lambda d: css(d, "#statement-status").text == "approved")
    css(browser, "#publish").click()
    browser.switch_to.alert.accept()
    wait_for(browser, lambda d: css(d, "#statement-status").text == "published")
    screenshot(browser, "42-pr-published")


def test_legal_finds_a_case_reads_its_history_and_exports_it(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    from tests.review_ui.conftest import decided_case

    case_id = decided_case(module_stack, "Plandemic hoax exposed!! share before", "court order 17")
    log_in(browser, live_url, module_stack.user("legal"))
    page_is(browser, "legal")
    css(browser, "#q").send_keys("court order 17")
    css(browser, "#search-submit").click()
    wait_for(browser, lambda d: d.find_elements("css selector", "#results"))
    assert int(css(browser, "#result-total").text) >= 1
    screenshot(browser, "50-legal-search")
    css(browser, f'#results a[href="/ui/legal/cases/{case_id}"]').click()
    page_is(browser, "legal-case")
    history = css(browser, "#history").text
    for action in ("case.claimed", "case.decided", "enforcement.requested"):  # named in words
        assert browser.find_elements("css selector", f'#history li[data-action="{action}"]')
    assert "Taken by a reviewer" in history and "Decided" in history
    screenshot(browser, "51-legal-case-history")
    exported = browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        fetch(document.getElementById('export-ndjson').href, {credentials: 'same-origin'})
          .then(r => r.text().then(body => done([r.status, r.headers.get('content-type'), body])));
        """
    )
    status, media_type, body = exported
    assert status == 200 and media_type.startswith("application/x-ndjson")
    lines = [line for line in body.splitlines() if line.strip()]
    assert len(lines) >= 3 and all(case_id in line for line in lines)
