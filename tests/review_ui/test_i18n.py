"""The UI in Simplified Chinese and English (issue 20, item 5): the catalogue covers every
string, the language comes from the user's preference or else Accept-Language, dates follow it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from sqlalchemy import select

from accounts.models import User
from audit.events import Action
from audit.models import AuditEvent
from core.settings import REPO_ROOT
from review_ui import i18n
from tests.review_ui.conftest import Stack, browser_client, csrf_of, sign_in, signed_in, submit

PO = REPO_ROOT / "review_ui" / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)s|\{[a-z_0-9]+(?::[^}]*)?\}")


def _extracted() -> set[str]:
    """What `make messages` extracts: babel.cfg's methods (the review UI and the domain
    packages whose errors the UI shows), keywords Msg and _."""
    with (REPO_ROOT / "babel.cfg").open() as cfg:
        method_map, options = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    keywords = {"_": None, "Msg": None, "gettext": None, "ngettext": (1, 2)}
    found: set[str] = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(REPO_ROOT), method_map, options, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_template_and_ui_message_has_a_chinese_translation() -> None:
    with Path(PO).open("rb") as fh:
        catalogue = read_po(fh, locale="zh_Hans")
    translated = {
        str(m.id[0] if isinstance(m.id, tuple | list) else m.id): m
        for m in catalogue
        if m.id and m.string and "fuzzy" not in m.flags
    }
    extracted = _extracted()
    assert len(extracted) > 600  # the templates and review_ui messages, not an empty scan
    missing = sorted(extracted - set(translated))
    assert missing == [], f"untranslated for zh (run make messages, then translate): {missing}"
    for msgid, m in translated.items():
        text = str(m.string[0] if isinstance(m.string, tuple | list) else m.string)
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(text)), msgid
        words = re.search(r"[a-z]{3}", PLACEHOLDER.sub("", msgid))
        assert not words or re.search(r"[\u4e00-\u9fff]", text), f"not Chinese: {msgid!r}"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("zh-Hant-TW", "zh"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR, de;q=0.9", "en"),
        ("fr, zh;q=0.5", "zh"),
        ("en;q=0.4, zh;q=0.8", "zh"),
        ("zh;q=0, en", "en"),
        ("", "en"),
        ("garbage;;;q=x,", "en"),
    ],
)
def test_accept_language_picks_chinese_for_zh_else_english(header: str, language: str) -> None:
    assert i18n.from_accept_language(header) == language


def test_a_message_from_python_is_shown_in_the_pages_language() -> None:
    msg = i18n.Msg("At most {cap} cases at once; {n} were ticked.", cap=50, n=51)
    assert msg == "At most 50 cases at once; 51 were ticked."  # plain English everywhere else
    with i18n.speaking(i18n.LANGUAGE[i18n.CHINESE]):
        assert msg.localised() == "一次最多 50 个案件；你勾选了 51 个。"
        assert i18n.translate("Settings saved.") == "设置已保存。"


def test_sign_in_page_follows_accept_language_when_nobody_is_signed_in(stack: Stack) -> None:
    client = browser_client(stack)
    zh = client.get("/ui/login", headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert '<html lang="zh-Hans">' in zh.text
    assert "<h1>登录</h1>" in zh.text and "Sign in" not in zh.text
    assert zh.headers["content-language"] == "zh-Hans"
    en = client.get("/ui/login", headers={"accept-language": "de-DE,en;q=0.5"})
    assert '<html lang="en">' in en.text and "<h1>Sign in</h1>" in en.text


def test_a_users_language_is_saved_logged_and_beats_the_browser(stack: Stack) -> None:
    name = stack.user("pr")
    client = browser_client(stack)
    sign_in(client, name)
    page = client.get("/ui/settings/language", headers={"accept-language": "en"})
    assert page.status_code == 200 and "English" in page.text
    saved = submit(client, page, "/ui/settings/language", language="zh")
    assert saved.status_code == 303
    pr = client.get("/ui/pr", headers={"accept-language": "en-US,en"})
    assert '<html lang="zh-Hans">' in pr.text and "退出登录" in pr.text
    with stack.rt.sessions() as session:
        user = session.scalars(select(User).where(User.username == name)).one()
        assert user.language == "zh"
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == Action.USER_CHANGED.value, AuditEvent.actor_name == name)
            .order_by(AuditEvent.seq.desc())
        ).first()
        assert event is not None
        document: dict[str, Any] = event.document
        assert document["veracity"]["after"] == {"language": "zh"}
    # Back to the browser's choice.
    page = client.get("/ui/settings/language")
    submit(client, page, "/ui/settings/language", follow_redirects=True, language="browser")
    assert '<html lang="en">' in client.get("/ui/pr", headers={"accept-language": "en"}).text


def test_an_unknown_language_is_refused_with_the_reason(stack: Stack) -> None:
    client = signed_in(stack, "legal")
    page = client.get("/ui/settings/language", headers={"accept-language": "zh"})
    refused = submit(
        client,
        page,
        "/ui/settings/language",
        headers={"accept-language": "zh"},
        language="klingon",
    )
    assert refused.status_code == 422
    assert "请选择列出的语言之一" in refused.text


def test_dates_and_numbers_are_formatted_per_language() -> None:
    from review_ui.templating import TEMPLATES

    when, number = TEMPLATES.env.filters["when"], TEMPLATES.env.filters["number"]
    at = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    assert when(at) == "2026-11-28 09:30 UTC"
    assert number(1234567) == "1,234,567"
    with i18n.speaking(i18n.LANGUAGE[i18n.CHINESE]):
        assert when(at) == "2026年11月28日 09:30 UTC"
        assert number(1234.5, 1) == "1,234.5"


def test_legal_reads_a_case_history_in_chinese(stack: Stack) -> None:
    from tests.review_ui.conftest import decided_case

    case_id = decided_case(stack, "Drinking bleach cures COVID-19, 喝消毒液可以治新冠", "note")
    name = stack.user("legal")
    with stack.rt.sessions() as session:
        user = session.scalars(select(User).where(User.username == name)).one()
        user.language = "zh"
        session.commit()
    client = browser_client(stack)
    sign_in(client, name)
    page = client.get(f"/ui/legal/cases/{case_id}", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert '<html lang="zh-Hans">' in page.text
    assert "已由审核员领取" in page.text and "Taken by a reviewer" not in page.text
    assert "喝消毒液可以治新冠" in page.text  # the post as written


def test_pr_drafts_a_chinese_statement_from_the_workspace(stack: Stack) -> None:
    from statements.models import Statement

    client = signed_in(stack, "pr")
    page = client.get("/ui/pr")
    form = {
        "csrf_token": csrf_of(page.text),
        "kind": "counter_statement",
        "channel": "web",
        "fact": "喝盐水不能预防新冠病毒感染。",
        "sources": "https://factcheck.example.cn/salt",
    }
    made = client.post("/ui/pr/statements", data=form, follow_redirects=False)
    assert made.status_code == 303, made.text
    with stack.rt.sessions() as session:
        statement = session.get(Statement, made.headers["location"].split("?")[0].rsplit("/", 1)[1])
        assert statement is not None
        assert statement.title.startswith("事实核查") and "来源：" in statement.body
    english = client.post(
        "/ui/pr/statements", data={**form, "language": "en"}, follow_redirects=False
    )
    assert english.status_code == 303
    refused = client.post(
        "/ui/pr/statements",
        data={**form, "language": "fr"},
        headers={"accept-language": "zh-CN"},
    )
    assert (
        refused.status_code == 422 and "草稿被拒绝" in refused.text and "language" in refused.text
    )


def test_a_failed_check_reads_in_chinese_with_its_detail() -> None:
    from review_ui.reviewer.check_words import check_message
    from statements.checks import Failure

    long = Failure("title_too_long", "title 130 > 120 chars")
    assert check_message(long) == "title 130 > 120 chars"
    with i18n.speaking(i18n.LANGUAGE[i18n.CHINESE]):
        assert check_message(long) == "标题超出该渠道的长度限制（title 130 > 120 chars）"
        none = Failure("no_source", "the statement must link at least one source")
        assert check_message(none) == "声明必须至少链接一个来源"


PAGES = {
    "reviewer": ["/ui/review", "/ui/decisions", "/ui/review/wellness", "/ui/claims"],
    "senior_reviewer": ["/ui/dashboards", "/ui/supervise"],
    "pr": ["/ui/pr"],
    "legal": ["/ui/legal", "/ui/legal/statements", "/ui/legal/holds"],
    "admin": ["/ui/admin", "/ui/admin/policy", "/ui/admin/webhooks"],
    "leadership": ["/ui/incidents", "/ui/response-plan", "/ui/settings/language"],
}


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_section_renders_in_chinese(stack: Stack, role: str) -> None:
    """A translation with a stray % or a missing field breaks only the Chinese page: render
    each section's page in Chinese."""
    stack.queue_posts(["Miracle cure: garlic and bleach kill the virus, 喝盐水可以预防新冠病毒"])
    client = browser_client(stack)
    sign_in(client, stack.user(role))
    for path in PAGES[role]:
        page = client.get(path, headers={"accept-language": "zh-CN"})
        assert page.status_code == 200, (path, page.text[:300])
        assert '<html lang="zh-Hans">' in page.text, path
        assert "退出登录" in page.text and "Sign out" not in page.text, path
    if role == "pr":  # the draft form's kinds and notice facts
        workspace = client.get("/ui/pr", headers={"accept-language": "zh"}).text
        assert "服务中断" in workspace and "数据保护官联系方式" in workspace
        assert "service interruption" not in workspace
    if role == "admin":  # the routing policy form's labels, written in Python
        policy = client.get("/ui/admin/policy", headers={"accept-language": "zh"}).text
        assert "说法匹配：最低相似度" in policy and "Claim match: minimum similarity" not in policy
    if role == "senior_reviewer":  # the dashboards' chart titles
        board = client.get("/ui/dashboards", headers={"accept-language": "zh"}).text
        assert "各风险档的队列深度" in board and "Queue depth by band" not in board


def test_every_translation_formats_as_the_page_will_format_it() -> None:
    """Templates' messages go through `%` (new-style gettext, always), Msg's through format."""
    with Path(PO).open("rb") as fh:
        catalogue = read_po(fh, locale="zh_Hans")
    for m in catalogue:
        if not m.id or isinstance(m.id, tuple | list):
            continue
        text = str(m.string)
        braces = re.findall(r"\{([a-z_0-9]+)(?::[^}]*)?\}", m.id)
        if braces:
            text.format(**dict.fromkeys(braces, 1))
        else:
            fields = re.findall(r"%\(([a-z_0-9]+)\)s", m.id)
            text % dict.fromkeys(fields, "x")


def test_every_incident_type_label_is_in_the_catalogue() -> None:
    """The labels live in incidents/type_rules.py as messages the pages translate."""
    from review_ui.incidents.detail import TYPES

    with i18n.speaking(i18n.LANGUAGE[i18n.CHINESE]):
        assert i18n.translate("Service outage") == "服务中断"
        for code, label in TYPES:
            assert i18n.translate(label) != str(label), (code, label)
