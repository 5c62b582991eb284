"""Statement links in a real browser: a `javascript:` URL is refused at input, and one already
stored renders nowhere as a link (public page, PR page, Atom feed, embedded JSON-LD)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from claims.models import Claim
from core.db import transaction
from runtime.web import create_app
from statements.models import Statement, StatementVersion
from tests.conftest import auth, new_user_token
from tests.review_ui.browsing import log_in, page_is
from tests.review_ui.conftest import Stack, browser, live_url, module_stack  # noqa: F401 - fixtures
from tests.statements.helpers import false_claim

URL = "/v1/statements"
GOOD = "https://good.example/ok"
STORED = [
    "javascript:alert(document.domain)",
    "JavaScript:alert(2)",
    " javascript:alert(3)",
    "java\tscript:alert(4)",
    "data:text/html,<script>alert(5)</script>",
    GOOD,
]
HOSTILE_CLAIM = "Bleach cures it </script><script>alert(6)</script> <!-- & more"
LINKS_JS = (
    "return Array.from(document.querySelectorAll('a[href], link[href], area[href]'))"
    ".map(e => e.href)"
)


@pytest.fixture(scope="module")
def api(module_stack: Stack) -> Iterator[TestClient]:  # noqa: F811
    with TestClient(create_app(module_stack.rt)) as client:
        yield client


def test_a_statement_with_a_javascript_url_is_refused_at_input(
    module_stack: Stack,  # noqa: F811
    api: TestClient,
) -> None:
    rt = module_stack.rt
    pr = auth(new_user_token(rt, "pr"))
    claim = false_claim(rt)
    for facts in (
        {"status_url": "javascript:alert(document.domain)"},
        {"advisory_url": " javascript:alert(1)"},
        {"status_url": "JAVASCRIPT:alert(1)"},
        {"other_url": "data:text/html,<script>alert(1)</script>"},
    ):
        body = {"kind": "counter_statement", "claim_id": claim.id, "facts": facts}
        refused = api.post(URL, json=body, headers=pr)
        assert refused.status_code == 422, facts
        assert refused.json()["error"]["code"] == "bad_url", refused.text
        assert "http(s)" in refused.json()["error"]["message"]
    body = {"kind": "counter_statement", "claim_id": claim.id, "sources": ["javascript:x()"]}
    assert api.post(URL, json=body, headers=pr).status_code == 422
    with rt.sessions() as session:
        assert session.query(Statement).count() == 0


def _published_with_stored_hostile_links(stack: Stack, api: TestClient) -> str:
    rt = stack.rt
    claim = false_claim(rt)
    author, approver = new_user_token(rt, "pr"), new_user_token(rt, "pr")
    made = api.post(
        URL, json={"kind": "counter_statement", "claim_id": claim.id}, headers=auth(author)
    )
    sid = str(made.json()["id"])
    assert (
        api.post(f"{URL}/{sid}/approve", json={"version": 1}, headers=auth(approver)).status_code
        == 200
    )
    assert api.post(f"{URL}/{sid}/publish", headers=auth(author)).status_code == 200
    stack.dispatcher.drain()
    # Data written before the input check existed (or by anything that bypasses it).
    with transaction(rt.sessions) as session:
        session.execute(update(Statement).where(Statement.id == sid).values(sources=STORED))
        session.execute(
            update(StatementVersion)
            .where(StatementVersion.statement_id == sid)
            .values(sources=STORED)
        )
        session.execute(update(Claim).where(Claim.id == claim.id).values(text=HOSTILE_CLAIM))
    return sid


def _no_alert(driver: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        alert = driver.switch_to.alert
    except NoAlertPresentException:
        return
    text = alert.text
    alert.dismiss()
    pytest.fail(f"a script ran: alert({text!r})")


def _only_web_links(driver: Any) -> list[str]:
    hrefs: list[str] = driver.execute_script(LINKS_JS)
    assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
    return hrefs


def test_stored_javascript_urls_render_no_executable_link_anywhere(
    module_stack: Stack,  # noqa: F811
    api: TestClient,
    browser: Any,  # noqa: F811
    live_url: str,  # noqa: F811
) -> None:
    sid = _published_with_stored_hostile_links(module_stack, api)

    # The public page: one source link (the good one), the JSON-LD intact and inert.
    public = api.get(f"{URL}/{sid}/public")
    assert "default-src 'none'" in public.headers["content-security-policy"]
    browser.get(f"{live_url}{URL}/{sid}/public")
    _no_alert(browser)
    hrefs = _only_web_links(browser)
    assert f"{live_url}{URL}/{sid}/claimreview.jsonld" in hrefs  # the alternate resolves
    anchors = browser.execute_script("return Array.from(document.links).map(a => a.href)")
    assert anchors == [GOOD]
    assert browser.execute_script("return document.scripts.length") == 1  # only the JSON-LD
    embedded = json.loads(
        browser.execute_script(
            "return document.querySelector('script[type=\"application/ld+json\"]').textContent"
        )
    )
    assert embedded["claimReviewed"] == HOSTILE_CLAIM and embedded["citation"] == [GOOD]
    for text in ("javascript:", "data:text"):  # shown as text nowhere as a link
        assert not any(text in h.lower() for h in hrefs)
    for anchor in browser.find_elements("css selector", "a"):
        if not anchor.get_attribute("href").startswith("https://good.example"):
            anchor.click()
    _no_alert(browser)

    # The separately served JSON-LD and the Atom feed link only to http(s) too.
    review = api.get(f"{URL}/{sid}/claimreview.jsonld").json()
    assert review["citation"] == [GOOD]
    feed = ET.fromstring(api.get(f"{URL}/feed.atom").content)  # noqa: S314 - our own feed
    links = [e.get("href") or "" for e in feed.iter("{http://www.w3.org/2005/Atom}link")]
    assert GOOD in links and all(h.startswith(("http://", "https://")) for h in links), links

    # The PR workspace (same origin as the rest of /ui) shows the stored URLs only as text.
    log_in(browser, live_url, module_stack.user("pr"), path=f"/ui/pr/statements/{sid}")
    page_is(browser, browser.execute_script("return document.body.dataset.page"))
    _no_alert(browser)
    _only_web_links(browser)
    assert "javascript:alert(document.domain)" in browser.page_source  # visible, not a link
