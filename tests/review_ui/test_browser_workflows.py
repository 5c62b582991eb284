"""Supervision, legal approval and policy changes in headless Chromium; the new pages' roles."""

from __future__ import annotations

from typing import Any

import pytest

from core.actors import Actor, ActorType
from core.db import transaction
from pipeline.claim_links import link_post
from pipeline.models import ReviewCase
from statements import service as statements
from statements.generators import OfflineGenerator
from statements.schemas import DraftIn
from tests.review_ui.browsing import css, keys, log_in, page_is, wait_for
from tests.review_ui.conftest import Stack, screenshot
from tests.statements.helpers import false_claim, load_fixture_claims

pytestmark = pytest.mark.browser
NEW_PAGES = {
    "/ui/admin/policy": ("admin-policy", {"admin"}),
    "/ui/admin/webhooks": ("admin-webhooks", {"admin"}),
    "/ui/supervise": ("supervise", {"senior_reviewer", "admin"}),
    "/ui/legal/holds": ("legal-holds", {"legal"}),
    "/ui/legal/statements": ("legal-statements", {"legal"}),
}


def _human(name: str, role: str) -> Actor:
    return Actor(name=name, type=ActorType.HUMAN, roles=(role,))


def test_a_senior_reviewer_reassigns_a_case_and_the_reviewer_works_it(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    from selenium.webdriver.support.ui import Select

    claim = load_fixture_claims(module_stack.rt)[0]
    (post_id,) = module_stack.queue_posts(
        ["Miracle cure: garlic and bleach kill the virus, share before they delete it!!"],
        author_id="author-9",
        views=4000,
    )
    with transaction(module_stack.rt.sessions) as session:
        link_post(session, claim.id, post_id, _human("system:matcher", "system"), similarity=0.92)
        case_id = session.query(ReviewCase.id).filter(ReviewCase.post_id == post_id).scalar()
    reviewer = module_stack.user("reviewer")

    log_in(browser, live_url, module_stack.user("senior_reviewer"))
    css(browser, 'nav[aria-label="Sections"] a[href="/ui/supervise"]').click()
    page_is(browser, "supervise")
    Select(css(browser, f"#to-{case_id}")).select_by_value(reviewer)
    screenshot(browser, "60-supervise-cases")
    css(browser, f"#reassign-{case_id}").click()
    wait_for(browser, lambda d: "Case reassigned" in css(d, "main").text)
    assert css(browser, f"#case-{case_id} .held-by").text == reviewer

    log_in(browser, live_url, reviewer)
    page_is(browser, "review-overview")
    keys(browser, "n")
    page_is(browser, "review-case")
    assert browser.current_url.endswith(f"/ui/review/cases/{case_id}")
    assert claim.text[:30] in css(browser, "#matched-claims").text
    screenshot(browser, "61-case-with-matched-claim")


def test_legal_approves_a_severe_statement_then_verifies_the_log(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    claim = false_claim(module_stack.rt)
    draft = DraftIn.model_validate(
        {"kind": "counter_statement", "claim_id": claim.id, "incident_severity": "critical"}
    )
    with transaction(module_stack.rt.sessions) as session:
        made = statements.draft(
            session, draft, _human("pr-writer", "pr"), OfflineGenerator(), platform="Example"
        )
        statements.approve(session, made.id, _human("pr-approver", "pr"))
        statement_id = made.id

    log_in(browser, live_url, module_stack.user("legal"))
    css(browser, 'nav[aria-label="Legal sections"] a[href="/ui/legal/statements"]').click()
    page_is(browser, "legal-statements")
    screenshot(browser, "62-legal-statements-waiting")
    css(browser, f'#legal-waiting a[href="/ui/legal/statements/{statement_id}"]').click()
    page_is(browser, "legal-statement")
    assert css(browser, "#statement-status").text == "draft"
    assert css(browser, "#checks-title").text.startswith("Checks: ")
    assert "v1 by" in css(browser, 'section[aria-labelledby="versions-title"]').text
    css(browser, "#legal-approve").click()
    browser.switch_to.alert.accept()
    wait_for(browser, lambda d: css(d, "#statement-status").text == "approved")
    screenshot(browser, "63-legal-approved")
    with module_stack.rt.sessions() as session:
        assert statements.get(session, statement_id).status == "approved"

    css(browser, 'nav[aria-label="Legal sections"] a[href="/ui/legal/holds"]').click()
    page_is(browser, "legal-holds")
    css(browser, "#verify-log").click()
    page_is(browser, "legal-verify")
    assert css(browser, "#verify-result").text == "intact"
    assert int(css(browser, "#verify-checked").text) > 0
    screenshot(browser, "67-legal-verify")


def test_each_role_is_refused_the_new_pages_of_the_others(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    for role in ("reviewer", "senior_reviewer", "pr", "legal", "admin"):
        log_in(browser, live_url, module_stack.user(role))
        for path, (page_id, allowed) in NEW_PAGES.items():
            browser.get(live_url + path)
            page_is(browser, page_id if role in allowed else "refused")
            if role in allowed and role != "senior_reviewer":
                screenshot(browser, f"64-{page_id}")


def test_a_forged_policy_form_without_the_csrf_token_is_refused(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    log_in(browser, live_url, module_stack.user("admin"), "/ui/admin/policy")
    page_is(browser, "admin-policy")
    browser.execute_script(
        """
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/ui/admin/policy';
        for (const [k, v] of [['policy_json', '{}'], ['base_version', 'x'], ['note', 'n']]) {
          const input = document.createElement('input');
          input.name = k; input.value = v; form.appendChild(input);
        }
        document.body.appendChild(form);
        form.submit();
        """
    )
    page_is(browser, "refused")
    assert "security token" in css(browser, "main").text


def test_an_admin_previews_a_policy_change_and_then_saves_it(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    """Last in the module: the saved policy stops queueing urgent posts."""
    from selenium.webdriver.support.ui import Select

    module_stack.queue_posts(["5G towers spread the plandemic, the secret microchip truth exposed"])
    log_in(browser, live_url, module_stack.user("admin"))
    css(browser, 'a[href="/ui/admin/policy"]').click()
    page_is(browser, "admin-policy")
    assert css(browser, "#active-version").text == module_stack.rt.policy.version
    Select(css(browser, "#policy-band-routes-urgent")).select_by_value("ignore")
    css(browser, "#preview-policy").click()
    wait_for(browser, lambda d: d.find_elements("css selector", "#preview"))
    now, candidate = (
        int(css(browser, "#now-to_review").text),
        int(css(browser, "#candidate-to_review").text),
    )
    assert candidate < now
    assert "ignore" in css(browser, "#policy-changes").text
    screenshot(browser, "65-admin-policy-preview")
    css(browser, "#policy-note").send_keys("drill: stop queueing urgent")
    css(browser, "#save-policy").click()
    browser.switch_to.alert.accept()
    wait_for(browser, lambda d: "Policy saved" in css(d, "main").text)
    assert css(browser, "#active-version").text == "v1"
    assert "drill: stop queueing urgent" in css(browser, "#policy-history").text
    screenshot(browser, "66-admin-policy-saved")
