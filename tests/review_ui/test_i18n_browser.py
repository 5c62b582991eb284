"""The review UI in Chinese in headless Chromium (issue 20): by preference, by Accept-Language,
English left English, dates in the reader's language."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from accounts.models import User
from accounts.preferences import set_language
from core.db import transaction
from tests.conftest import ADMIN
from tests.review_ui.browsing import css, log_in, page_is, wait_for
from tests.review_ui.conftest import Stack, screenshot
from tests.review_ui.test_reviewer_console import take_next

pytestmark = pytest.mark.browser

RUMOUR = (
    "紧急扩散!喝盐水可以预防新冠病毒,转发救人 Miracle cure: garlic and bleach kill the virus 🧂"
)


def lang() -> str:
    return "x" + "".join(chr(97 + int(c, 16) % 26) for c in uuid.uuid4().hex[:5])


def prefer(stack: Stack, username: str, language: str | None) -> None:
    with transaction(stack.rt.sessions) as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        set_language(session, user.id, language, ADMIN)


@pytest.fixture
def accept_chinese(browser: Any) -> Iterator[None]:
    """The browser sends Accept-Language: zh-CN for the test, English again after."""
    agent = browser.execute_script("return navigator.userAgent")
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd(
        "Network.setUserAgentOverride", {"userAgent": agent, "acceptLanguage": "zh-CN,zh;q=0.9"}
    )
    yield
    browser.execute_cdp_cmd(
        "Network.setUserAgentOverride", {"userAgent": agent, "acceptLanguage": "en-US,en;q=0.9"}
    )


def html_lang(driver: Any) -> str:
    return str(driver.execute_script("return document.documentElement.lang"))


def _rumour_queued_for_a_reviewer(
    browser: Any, live_url: str, stack: Stack, language: str | None = None
) -> str:
    """RUMOUR queued (posted 2026-11-28 09:30 UTC) in a language code of its own, and a
    reviewer (preferring `language`, if given) signed in on the queue; returns the code."""
    code = lang()
    stack.queue_posts([RUMOUR], lang=code, created_at=datetime(2026, 11, 28, 9, 30, tzinfo=UTC))
    reviewer = stack.user("reviewer")
    if language is not None:
        prefer(stack, reviewer, language)
    log_in(browser, live_url, reviewer, "/ui/review")
    page_is(browser, "review-overview")
    return code


def test_a_reviewer_who_prefers_chinese_works_the_queue_and_a_case_in_chinese(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    code = _rumour_queued_for_a_reviewer(browser, live_url, module_stack, language="zh")
    assert html_lang(browser) == "zh-Hans"
    assert css(browser, "#queue-title").text == "审核队列"
    assert "下一个案件" in css(browser, "#next-case").text
    take_next(browser, live_url, code)
    assert html_lang(browser) == "zh-Hans"
    assert css(browser, "#score-title").text == "模型标记它的原因"
    assert css(browser, ".case-head .band").text in {"审核", "紧急"}  # the band, worded
    assert css(browser, "#post-time").text == "2026年11月28日 09:30 UTC"
    assert css(browser, "#post-text").text.startswith("紧急扩散")  # the post itself untouched
    assert "🧂" in css(browser, "#post-text").text
    assert "提交并领取下一个" in css(browser, "#submit-decision").text
    form = css(browser, "#decision-form").text
    assert "虚假说法" in form and "不处置" in form  # reason and action labels from Python
    assert css(browser, "#queued-because").text.startswith("虚假信息模型的评分")
    assert "已领取" in css(browser, "#case-history").text  # the history's words
    # What app.js writes (the countdowns) speaks the page's language too.
    wait_for(browser, lambda d: css(d, "#lease-timer").text.startswith("剩余 "))
    assert "分" in css(browser, "#lease-timer").text and "秒" in css(browser, "#lease-timer").text
    screenshot(browser, "i18n-case-zh")


def test_accept_language_chinese_without_a_preference_gets_chinese(
    browser: Any, live_url: str, module_stack: Stack, accept_chinese: None
) -> None:
    reviewer = module_stack.user("reviewer")
    browser.delete_all_cookies()
    browser.get(live_url + "/ui/login")
    page_is(browser, "login")
    assert html_lang(browser) == "zh-Hans"
    assert css(browser, "h1").text == "登录"
    log_in(browser, live_url, reviewer, "/ui/review")
    page_is(browser, "review-overview")
    assert css(browser, "#queue-title").text == "审核队列"


def test_english_stays_english_with_english_dates(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    code = _rumour_queued_for_a_reviewer(browser, live_url, module_stack)
    assert html_lang(browser) == "en"
    assert css(browser, "#queue-title").text == "Review queue"
    take_next(browser, live_url, code)
    assert css(browser, "#score-title").text == "Why the model flagged it"
    assert css(browser, "#post-time").text == "2026-11-28 09:30 UTC"
    wait_for(browser, lambda d: css(d, "#lease-timer").text.endswith("s left"))


def test_a_reviewer_switches_to_chinese_on_the_settings_page(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    reviewer = module_stack.user("senior_reviewer")
    log_in(browser, live_url, reviewer, "/ui/review")
    css(browser, "#language-link").click()
    page_is(browser, "settings-language")
    css(browser, "#language-zh").click()
    css(browser, "#save-language").click()
    wait_for(browser, lambda d: html_lang(d) == "zh-Hans")
    assert css(browser, "[role=status]").text == "语言已保存。"
    browser.get(live_url + "/ui/review")
    assert css(browser, "#queue-title").text == "审核队列"
