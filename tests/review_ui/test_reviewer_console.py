"""The reviewer console in headless Chromium, as a reviewer works it (issue 19, reviewers).

Each test queues its posts under a language code of its own and takes cases with the queue
filter, so the tests share one server without taking each other's cases.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from core.clock import utcnow
from core.db import transaction
from pipeline.models import Decision, ReviewCase
from tests.pipeline import factories
from tests.review_ui.browsing import css, keys, log_in, page_is, type_note, wait_for
from tests.review_ui.conftest import Stack, screenshot

pytestmark = pytest.mark.browser

HOAX = "Miracle cure: garlic and bleach kill the virus, share before they delete it!!"
PLAIN = "5G towers spread the plandemic, the secret microchip truth exposed"  # not sensitive


def lang() -> str:
    """A language code of this test's own (letters only, as the queue filter wants)."""
    return "x" + "".join(chr(97 + int(c, 16) % 26) for c in uuid.uuid4().hex[:5])


def plain_posts(stack: Stack, *labels: str) -> list[str]:
    """PLAIN posts, one per label, queued under a language of their own (so no other test
    takes them); their ids."""
    return stack.queue_posts([f"{PLAIN} {label}" for label in labels], lang=lang())


def take_next(driver: Any, base: str, code: str) -> None:
    """On the queue page, filter to `code` and take the next case; its page opens."""
    from selenium.webdriver.support.ui import Select

    driver.get(base + "/ui/review")
    page_is(driver, "review-overview")
    Select(css(driver, "#filter-lang")).select_by_value(code)
    css(driver, "#next-case").click()
    wait_for(driver, lambda d: d.current_url.split("?")[0] != base + "/ui/review")
    page_is(driver, "review-case")


def _on_a_new_case(browser: Any, live_url: str, stack: Stack) -> tuple[str, str, str]:
    """A new reviewer signed in and on the case of a new HOAX post in a language of its own;
    the language, the reviewer's name and the post's id."""
    code = lang()
    (post_id,) = stack.queue_posts([HOAX], lang=code)
    reviewer = stack.user("reviewer")
    log_in(browser, live_url, reviewer)
    take_next(browser, live_url, code)
    return code, reviewer, post_id


def give_case(stack: Stack, post_id: str, boss: str, reviewer: str) -> str:
    """`boss`, a senior reviewer, gives the case of `post_id` to `reviewer`; the case's id."""
    from pipeline.queue import reassign

    case_id = case_of(stack, post_id).id
    supervisor = factories.reviewer(boss, "senior_reviewer")
    with transaction(stack.rt.sessions) as session:
        reassign(session, case_id, supervisor, reviewer, ("reviewer",))
    return case_id


def case_of(stack: Stack, post_id: str) -> ReviewCase:
    with stack.rt.sessions() as session:
        return session.scalars(
            select(ReviewCase)
            .where(ReviewCase.post_id == post_id)
            .order_by(ReviewCase.created_at.desc())
        ).first()  # type: ignore[return-value]


def test_a_case_reads_plainly_reasons_post_time_link_media_and_policy(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    code = lang()
    posted = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    module_stack.queue_posts(
        [HOAX + " See https://cdn.example.org/clip.mp4"],
        lang=code,
        created_at=posted,
        url="https://social.example/p/1/photo.jpg",
        views=900,
    )
    log_in(browser, live_url, module_stack.user("reviewer"))
    take_next(browser, live_url, code)
    reasons = css(browser, "#reason-lines").text
    assert "toward likely false" in reasons and "strong" in reasons
    assert "“" in reasons, "each phrase is quoted in the words around it"
    css(browser, "#reason-legend summary").click()
    assert "pushed the score toward" in css(browser, "#reason-legend").text
    assert css(browser, "#post-time").text == "2026-11-28 09:30 UTC"
    assert css(browser, "#post-link").get_attribute("href").endswith("/photo.jpg")
    media = browser.find_elements("css selector", "#post-media [data-media]")
    assert len(media) == 2, "the post's own media URL and the clip linked in its text"
    assert all(m.get_attribute("data-blurred") == "true" for m in media), "blurred by default"
    link = media[0].find_element("tag name", "a")
    assert "blur" in link.value_of_css_property("filter")
    assert css(browser, "#queued-because").text.strip()
    css(browser, "#decision-guidance summary").click()
    assert "Misleading context" in css(browser, "#decision-guidance").text
    screenshot(browser, "70-case-reasons-media-policy")
    media[0].click()  # the first click reveals, it does not follow the link
    wait_for(browser, lambda d: media[0].get_attribute("data-blurred") == "false")
    assert browser.current_url.startswith(live_url)
    keys(browser, "v")
    wait_for(browser, lambda d: media[1].get_attribute("data-blurred") == "false")
    screenshot(browser, "71-case-media-revealed")


def test_an_escalation_arrives_with_who_why_and_the_history(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    code, reviewer, _ = _on_a_new_case(browser, live_url, module_stack)
    type_note(browser, "Names a minister; possible defamation, needs a senior")
    from selenium.webdriver.common.keys import Keys

    keys(browser, Keys.ESCAPE, "e")
    page_is(browser, "review-overview")
    assert "escalated" in css(browser, "main").text

    log_in(browser, live_url, module_stack.user("senior_reviewer"))
    take_next(browser, live_url, code)
    stage = css(browser, "#case-stage").text
    assert reviewer in stage and "possible defamation" in stage
    history = css(browser, "#case-history").text
    assert "escalated" in history and "claimed" in history and reviewer in history
    screenshot(browser, "72-escalated-with-who-and-why")


def test_a_released_case_does_not_come_straight_back(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    code, reviewer, post_id = _on_a_new_case(browser, live_url, module_stack)
    assert case_of(module_stack, post_id).claimed_by == reviewer
    keys(browser, "u")
    page_is(browser, "review-overview")
    keys(browser, "n")  # the filter is kept
    wait_for(browser, lambda d: "No case matches your filter" in css(d, "main").text)
    log_in(browser, live_url, module_stack.user("reviewer"))  # someone else takes it at once
    take_next(browser, live_url, code)
    assert case_of(module_stack, post_id).status == "claimed"


def test_a_typed_note_survives_a_lost_lease_and_the_lease_extends(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    code, _, post_id = _on_a_new_case(browser, live_url, module_stack)
    type_note(browser, "Fact-checkers at AFP rated this false on 12 Nov")
    wait_for(browser, lambda d: css(d, "#note-saved").text == "Note saved.")
    from selenium.webdriver.common.keys import Keys

    before = case_of(module_stack, post_id).lease_expires_at
    keys(browser, Keys.ESCAPE, "m")
    wait_for(browser, lambda d: css(d, "#extend-lease").get_attribute("data-result") == "extended")
    after = case_of(module_stack, post_id).lease_expires_at
    assert before is not None and after is not None and after > before
    screenshot(browser, "73-lease-extended-note-saved")

    with transaction(module_stack.rt.sessions) as session:  # the lease runs out
        session.execute(
            update(ReviewCase)
            .where(ReviewCase.post_id == post_id)
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
    take_next(browser, live_url, code)  # expired: back in the queue, and claimed again
    assert css(browser, "#note").get_attribute("value") == (
        "Fact-checkers at AFP rated this false on 12 Nov"
    )
    assert "Restored your saved note" in css(browser, "#note-saved").text
    screenshot(browser, "74-note-restored-after-lost-lease")


def test_a_reviewer_undoes_a_removal_from_recent_decisions(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    from selenium.webdriver.common.keys import Keys

    _, _, post_id = _on_a_new_case(browser, live_url, module_stack)
    keys(browser, "1", "r", Keys.ENTER)
    page_is(browser, "review-decision")  # nothing else under this filter
    wait_for(browser, lambda d: css(d, "#enforcement-status").text.startswith("confirmed"))
    css(browser, 'nav[aria-label="Sections"] a[href="/ui/decisions"]').click()
    page_is(browser, "decisions")
    with module_stack.rt.sessions() as session:
        decision = session.scalars(select(Decision).where(Decision.post_id == post_id)).one()
    row = css(browser, f"#decision-{decision.id}")
    assert "remove" in row.text and "confirmed" in row.text
    screenshot(browser, "75-recent-decisions")
    css(browser, f"#why-{decision.id}").send_keys("Misread: it quotes the hoax to debunk it")
    css(browser, f"#undo-{decision.id}").click()
    browser.switch_to.alert.accept()
    wait_for(browser, lambda d: "Decision undone" in css(d, "main").text)
    module_stack.dispatcher.drain()
    applied = module_stack.receiver.actions_applied()
    assert any(a["action"] == "undo" for a in applied), "the removal is reversed on the platform"
    browser.refresh()
    page_is(browser, "decisions")
    rows = css(browser, "#recent-decisions").text
    assert "no action" in rows and "replaced by a later decision" in rows
    assert "confirmed, then undone" in rows
    screenshot(browser, "76-decision-undone")


def test_wellness_settings_grayscale_unblurred_media_and_a_daily_cap_warning(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    code = lang()
    module_stack.queue_posts(
        [PLAIN, PLAIN + " again"], lang=code, url="https://social.example/p/2/a.png"
    )
    log_in(browser, live_url, module_stack.user("reviewer"))
    css(browser, "#wellness-link").click()
    page_is(browser, "review-wellness")
    assert css(browser, "#blur_media").is_selected(), "media is blurred by default"
    css(browser, "#blur_media").click()
    css(browser, "#grayscale").click()
    css(browser, "#daily_cap").send_keys("1")
    css(browser, "#save-wellness").click()
    wait_for(browser, lambda d: "Settings saved" in css(d, "main").text)
    screenshot(browser, "77-wellness-settings")

    take_next(browser, live_url, code)
    assert "grayscale" in css(browser, ".post-body").value_of_css_property("filter")
    media = css(browser, "#post-media [data-media]")
    assert media.get_attribute("data-blurred") is None, "not blurred: the reviewer chose so"
    warning = css(browser, "#exposure-warning").text
    assert "daily cap of 1 cases" in warning
    screenshot(browser, "78-case-grayscale-cap-warning")


def test_the_exposure_cap_counts_cases_assigned_by_a_supervisor_and_bulk_decided(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    """Exposure is every case a person saw today, not only the ones taken with "next"."""
    from pipeline.decisions import decide
    from pipeline.schemas import DecisionAction, DecisionIn, ReasonCode
    from tests.review_ui.conftest import browser_client, sign_in, submit

    assigned, bulk_one, bulk_two = plain_posts(module_stack, "assigned", "bulk one", "bulk two")
    reviewer, boss = (module_stack.user(role) for role in ("reviewer", "senior_reviewer"))
    log_in(browser, live_url, reviewer, "/ui/review/wellness")
    page_is(browser, "review-wellness")
    css(browser, "#daily_cap").send_keys("1")
    css(browser, "#save-wellness").click()
    wait_for(browser, lambda d: "Settings saved" in css(d, "main").text)
    assert css(browser, "#seen-today").text == "0"

    case_id = give_case(module_stack, assigned, boss, reviewer)
    browser.get(live_url + "/ui/review/wellness")
    assert css(browser, "#seen-today").text == "1", "a case a supervisor gave them counts"
    assert "daily cap" in css(browser, "#exposure-warning").text
    with transaction(module_stack.rt.sessions) as session:
        me = factories.reviewer(reviewer)
        verdict = DecisionIn(reason_code=ReasonCode.FALSE_CLAIM, action=DecisionAction.LABEL)
        decide(session, case_id, me, verdict.model_copy(update={"note": "5G hoax"}))
    module_stack.dispatcher.drain()
    browser.refresh()
    assert css(browser, "#seen-today").text == "1", "the same case, decided, is still one"

    senior = browser_client(module_stack)
    sign_in(senior, boss)
    applied = submit(
        senior,
        senior.get("/ui/supervise"),
        "/ui/supervise/bulk/apply",
        action="no_action",
        reason_code="not_misinformation",
        case_ids=[case_of(module_stack, p).id for p in (bulk_one, bulk_two)],
    )
    assert applied.status_code == 303 and "done=2" in applied.headers["location"]
    page = senior.get("/ui/review/wellness").text
    assert 'id="seen-today">2<' in page, "two cases decided in bulk; the reassignment not"
