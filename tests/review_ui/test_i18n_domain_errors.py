"""Errors raised by the domain services, shown on UI pages in the reader's language (issue 20):
a Chinese-preferring user reads them in Chinese, an English user in English, and the API's JSON
keeps the English text."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from accounts.models import User
from review_ui import i18n
from tests.review_ui.conftest import (
    Stack,
    browser_client,
    claim_next_in_ui,
    csrf_of,
    decide_in_ui,
    draft_on_workbench,
    sign_in,
    submit,
)

ZH, EN = {"accept-language": "zh-CN,zh;q=0.9"}, {"accept-language": "en"}
SALT = {
    "kind": "counter_statement",
    "fact": "Salt water does not prevent COVID-19.",
    "sources": "https://factcheck.example.org/salt",
}


def _person(stack: Stack, role: str, language: str | None) -> TestClient:
    name = stack.user(role)
    with stack.rt.sessions() as session:
        user = session.scalars(select(User).where(User.username == name)).one()
        user.language = language
        session.commit()
    client = browser_client(stack)
    sign_in(client, name)
    return client


def _label_without_note(client: TestClient, case_id: str) -> str:
    # the browser says English; the preference decides
    response = decide_in_ui(client, case_id, "misleading_context", "label", headers=EN)
    assert response.status_code == 422
    text: str = response.text
    return text


def test_a_refused_decision_reads_in_the_reviewers_language(stack: Stack) -> None:
    stack.queue_posts(["Bill Gates microchip hoax exposed, share before it is banned!!"])
    stack.queue_posts(["Miracle cure: garlic and bleach, share before they delete it!!"])
    zh, en = _person(stack, "reviewer", "zh"), _person(stack, "reviewer", "en")
    zh_page = _label_without_note(zh, claim_next_in_ui(zh))
    en_page = _label_without_note(en, claim_next_in_ui(en))
    # pipeline.decisions.validate_decision's Invalid, as each reader reads it
    assert "添加标注需要填写标注文字" in zh_page and "label needs its note" not in zh_page
    assert "a label needs its note text" in en_page and "添加标注" not in en_page


def test_extending_a_case_you_do_not_hold_is_refused_in_your_language(stack: Stack) -> None:
    stack.queue_posts(["Miracle cure exposed!! share before they delete it"])
    holder = _person(stack, "reviewer", None)
    case_id = claim_next_in_ui(holder)
    for language, expected in (
        ("zh", f"你没有持有案件 {case_id} 的有效租约"),
        ("en", f"you do not hold a live lease on case {case_id}"),
    ):
        other = _person(stack, "reviewer", language)
        token = csrf_of(other.get("/ui/review").text)
        refused = other.post(
            f"/ui/review/cases/{case_id}/extend",
            data={"csrf_token": token},
            headers={"accept": "application/json", **EN},
        )
        assert refused.status_code == 409
        assert refused.json() == {"extended": False, "reason": expected}


def test_approving_your_own_statement_is_refused_in_your_language(stack: Stack) -> None:
    for language, expected, absent in (
        ("zh", "批准需要另一人：此声明由你起草或最后编辑", "second person"),
        ("en", "approval needs a second person: you drafted or last edited", "批准"),
    ):
        client = _person(stack, "pr", language)
        made = draft_on_workbench(client, **SALT, language="en")
        assert made.status_code == 303, made.text
        path = made.headers["location"].split("?")[0]
        detail = client.get(path)
        refused = submit(client, detail, f"{path}/approve", version="1")
        assert refused.status_code == 403  # statements.service.approve's Forbidden
        assert expected in refused.text and absent not in refused.text


def test_an_invalid_form_names_each_field_in_the_readers_language(stack: Stack) -> None:
    for language, expected in (
        ("zh", "标题：太短：至少 1 个字符"),
        ("en", "title: too short: at least 1 character(s)"),
    ):
        client = _person(stack, "pr", language)
        made = draft_on_workbench(client, **SALT)
        path = made.headers["location"].split("?")[0]
        detail = client.get(path)
        refused = submit(
            client, detail, f"{path}/edit", title="  ", body="Some text.", base_version="1"
        )
        assert refused.status_code == 422
        assert expected in refused.text, refused.text


def test_an_admins_duplicate_account_is_refused_in_chinese_and_english(stack: Stack) -> None:
    taken = stack.user("reviewer")
    for language, expected in (
        ("zh", f"用户“{taken}”已存在"),
        ("en", f"user &#39;{taken}&#39; already exists"),
    ):
        client = _person(stack, "admin", language)
        page = client.get("/ui/admin")
        refused = submit(
            client,
            page,
            "/ui/admin/users",
            username=taken,
            password="a-long-enough-password",
            role="reviewer",
        )
        assert refused.status_code == 409
        assert expected in refused.text


def test_the_api_keeps_the_english_message_and_the_ui_gets_the_chinese_one() -> None:
    from core.errors import Conflict
    from core.messages import Msg

    error = Conflict(Msg("case {case_id} is already decided", case_id="c-1"))
    assert error.message == "case c-1 is already decided"  # what the API's JSON carries
    assert i18n.translate(error.message) == "case c-1 is already decided"
    with i18n.speaking(i18n.LANGUAGE[i18n.CHINESE]):
        assert i18n.translate(error.message) == "案件 c-1 已有决定"
    # A field is data: a username that is also a catalogued word is shown as written.
    taken = Msg("user '{username}' already exists", username="admin")
    with i18n.speaking(i18n.LANGUAGE[i18n.CHINESE]):
        assert i18n.translate(taken) == "用户“admin”已存在"


def test_a_message_survives_pickling_with_its_fields() -> None:
    import pickle

    from core.messages import Msg

    made = pickle.dumps(Msg("no claim '{claim_id}'", claim_id="x"))
    copied = pickle.loads(made)  # noqa: S301 (bytes this test made)
    assert copied == "no claim 'x'" and copied.template == "no claim '{claim_id}'"
    with i18n.speaking(i18n.LANGUAGE[i18n.CHINESE]):
        assert i18n.translate(copied) == "没有说法“x”"
