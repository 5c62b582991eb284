"""Issue 20's chain in both languages, on the embedded default with the real shipped models:
a Chinese and an English post are scored by their own models and routed to cases; a reviewer
who reads Chinese works the Chinese case on a Chinese page, one who reads English the English
case; each removal opens a counter-statement draft in the language of its post."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from accounts.models import User
from core.db import transaction
from pipeline.models import ReviewCase
from runtime.web import create_app
from statements.models import Statement
from tests.conftest import auth, new_api_key, wait_for
from tests.review_ui.conftest import Stack, browser_client, decide_in_ui, sign_in, take_next

ZH = "家人们注意！每天用盐水漱口、多喝淡盐水，新冠病毒就传染不上，赶紧转给爸妈"
EN = "Doctors won't tell you: drinking bleach cures covid-19, share before they delete it!!"


def _reviewer(stack: Stack, language: str) -> TestClient:
    name = stack.user("reviewer")
    with transaction(stack.rt.sessions) as session:
        session.scalars(select(User).where(User.username == name)).one().language = language
    client = browser_client(stack)
    sign_in(client, name)
    return client


def _work(client: TestClient, lang: str, case_id: str) -> str:
    """Take the next case in `lang`, read its page, remove it as a false claim."""
    assert take_next(client, set_filter="1", lang=lang) == f"/ui/review/cases/{case_id}"
    page = client.get(f"/ui/review/cases/{case_id}").text
    decided = decide_in_ui(client, case_id, "false_claim", "remove", follow_redirects=False)
    assert decided.status_code == 303, decided.text
    return page


def _draft_for(stack: Stack, case_id: str) -> Statement:
    with stack.rt.sessions() as session:
        found = session.scalars(select(Statement).where(Statement.case_id == case_id)).first()
        if found is None:  # drafted for the claim (one draft per claim), linked to it
            case = session.get(ReviewCase, case_id)
            assert case is not None and case.claim_id
            found = session.scalars(
                select(Statement).where(Statement.claim_id == case.claim_id)
            ).first()
        assert found is not None, "a removal of a false claim opens a draft"
        return found


def test_each_post_reaches_a_case_page_and_a_statement_in_its_own_language(
    bilingual: Stack,
) -> None:
    posts: list[dict[str, Any]] = [
        {"id": "zh", "text": ZH, "lang": "zh"},
        {"id": "en", "text": EN, "lang": "en"},
    ]
    with TestClient(create_app(bilingual.rt)) as client:
        resp = client.post(
            "/v1/score", json={"posts": posts}, headers=auth(new_api_key(bilingual.rt))
        )
    assert resp.status_code == 200, resp.text
    models = {r["id"]: r["model_version"] for r in resp.json()["results"]}
    assert models["zh"] != models["en"]  # each language its own model
    wait_for(lambda: bilingual.case("zh") is not None and bilingual.case("en") is not None)
    zh_case, en_case = bilingual.case("zh"), bilingual.case("en")
    assert zh_case is not None and en_case is not None

    page = _work(_reviewer(bilingual, "zh"), "zh", zh_case.id)
    assert '<html lang="zh-Hans">' in page and "模型标记它的原因" in page
    assert "赶紧转给爸妈" in page  # the post as written
    zh_draft = _draft_for(bilingual, zh_case.id)
    assert zh_draft.title.startswith("事实核查"), zh_draft.title

    page = _work(_reviewer(bilingual, "en"), "en", en_case.id)
    assert '<html lang="en">' in page and "Why the model flagged it" in page
    en_draft = _draft_for(bilingual, en_case.id)
    assert en_draft.title.startswith("Fact check"), en_draft.title
