"""The PR workbench: drafts opened by decisions and incidents, notices that keep what was typed,
a sources field that lets a claim-less counter-statement pass, published statements that offer
no Approve or Publish, and the public page PR sends people to."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from core.actors import Actor, ActorType
from core.db import transaction
from pipeline.claim_links import link_post
from statements import service
from statements.drafts import open_draft_for_incident
from statements.models import Statement
from tests.review_ui.browsing import css, log_in, page_is, wait_for
from tests.review_ui.conftest import (
    Stack,
    browser_client,
    csrf_of,
    decide_next,
    decided_case,
    draft_on_workbench,
    screenshot,
    sign_in,
    signed_in,
    submit,
)
from tests.statements.helpers import add_messaging_outage, false_claim

SOURCE = "https://health.example.org/facts"


def _human(name: str, role: str) -> Actor:
    return Actor(name=name, type=ActorType.HUMAN, roles=(role,))


def _remove(stack: Stack, text: str, claim_id: str | None, action: str = "remove") -> str:
    (post_id,) = stack.queue_posts([text])
    if claim_id:
        with transaction(stack.rt.sessions) as session:
            link_post(session, claim_id, post_id, _human("system:matcher", "system"))
    note = "internal: repeats the 5G hoax" if action != "label" else "Context: 5G"
    return decide_next(stack, note, action, post_id=post_id, claim_id=claim_id)[0]


def _statements(stack: Stack) -> list[Statement]:
    with stack.rt.sessions() as session:
        return list(session.scalars(select(Statement).order_by(Statement.created_at)))


def test_removals_of_a_false_claim_open_one_counter_statement_draft_for_pr(stack: Stack) -> None:
    claim = false_claim(stack.rt)
    first = _remove(stack, "5G towers spread the virus, wake up!!", claim.id)
    _remove(stack, "The virus travels on 5G radio waves, share now", claim.id)
    drafts = _statements(stack)
    assert len(drafts) == 1, "one open draft per claim, however many posts repeat it"
    draft = drafts[0]
    assert draft.kind == "counter_statement" and draft.claim_id == claim.id
    assert draft.case_id == first and draft.status == "draft"
    assert "internal:" not in draft.body  # reviewers' notes are not public text

    client = signed_in(stack, "pr")
    listed = client.get("/ui/pr")
    assert draft.title in listed.text and 'title="Opened automatically"' in listed.text
    page = client.get(f"/ui/pr/statements/{draft.id}")
    assert "opened automatically after a removal" in page.text


def test_a_label_or_a_claimless_removal_opens_what_fits(stack: Stack) -> None:
    _remove(stack, "5G masts are poisoning the water supply!!", None, action="label")
    assert _statements(stack) == []
    case_id = decided_case(stack, "Miracle cure hoax exposed!! share before", "internal only")
    (draft,) = _statements(stack)
    assert draft.case_id == case_id and draft.claim_id is None
    assert "$" not in draft.body and "[TODO: fact]" in draft.body


def test_an_activated_incident_gets_the_draft_its_type_calls_for_once(stack: Stack) -> None:
    with transaction(stack.rt.sessions) as session:
        incident = add_messaging_outage(session, f"outage:{uuid.uuid4().hex[:6]}", grade=2)
        made = open_draft_for_incident(session, incident, _human("lead", "admin"))
        again = open_draft_for_incident(session, incident, _human("lead", "admin"))
        assert made is not None and again is not None and again.id == made.id
        assert made.kind == "service_interruption" and made.incident_id == incident.id
        assert made.requires_legal and made.incident_severity == "high"  # grade II
        assert "Messages sent since 09:10 are delayed." in made.body


def test_an_outage_notice_drafted_in_the_ui_keeps_its_facts_and_passes_its_checks(
    stack: Stack,
) -> None:
    client = signed_in(stack, "pr")
    made = draft_on_workbench(
        client,
        kind="service_interruption",
        fact="Messages sent since 09:10 arrive late.",
        fact_service="Messaging",
        fact_current_status="degraded",
        fact_started_at="09:10 UTC",
        fact_what_to_do="Nothing; messages are not lost.",
        fact_next_update="11:00 UTC",
        fact_status_url="https://status.example.com",
    )
    assert made.status_code == 303, made.text
    page = client.get(made.headers["location"])
    assert "Messages sent since 09:10 arrive late." in page.text
    assert "All checks pass." in page.text
    bad = draft_on_workbench(client, kind="counter_statement", fact="x", sources="not a link")
    assert bad.status_code == 422 and "full http(s) address" in bad.text


def test_a_claimless_counter_statement_passes_once_pr_adds_a_source(stack: Stack) -> None:
    client = signed_in(stack, "pr")
    made = draft_on_workbench(client, kind="counter_statement", fact="Bleach is a poison.")
    url = made.headers["location"].split("?")[0]
    page = client.get(url)
    assert "$source_name" not in page.text and "$verdict" not in page.text
    assert "the statement must link at least one source" in page.text
    with stack.rt.sessions() as session:
        statement = session.get(Statement, url.rsplit("/", 1)[1])
        assert statement is not None
        title, body = statement.title, statement.body
    saved = submit(
        client, page, f"{url}/edit", title=title, body=body, sources=SOURCE, base_version="1"
    )
    assert saved.status_code == 303
    after = client.get(url)
    assert "All checks pass." in after.text and f"- {SOURCE}" in after.text


def _published(stack: Stack) -> tuple[str, str]:
    """A counter-statement one PR person wrote and another approved and published: (its
    writer, its id)."""
    claim = false_claim(stack.rt)
    writer, approver = stack.user("pr"), stack.user("pr")
    from statements.generators import OfflineGenerator
    from statements.publishers import default_publishers
    from statements.schemas import DraftIn

    with transaction(stack.rt.sessions) as session:
        made = service.draft(
            session,
            DraftIn(kind="counter_statement", claim_id=claim.id),
            _human(writer, "pr"),
            OfflineGenerator(),
            platform="Demo",
        )
        service.approve(session, made.id, _human(approver, "pr"))
        service.publish(session, made.id, _human(approver, "pr"), default_publishers(webhook=False))
        return writer, made.id


def test_a_published_statement_offers_no_approve_or_publish_and_refuses_them(
    stack: Stack,
) -> None:
    writer, statement_id = _published(stack)
    client = browser_client(stack)
    sign_in(client, writer)
    page = client.get(f"/ui/pr/statements/{statement_id}")
    assert 'id="publish"' not in page.text and 'id="approve"' not in page.text
    assert 'id="withdraw"' in page.text and f"/v1/statements/{statement_id}/public" in page.text
    token = csrf_of(page.text)
    for step in ("publish", "approve"):
        refused = client.post(
            f"/ui/pr/statements/{statement_id}/{step}", data={"csrf_token": token, "version": "1"}
        )
        assert refused.status_code == 409 and "already published" in refused.text


def test_a_withdrawal_in_the_ui_wants_the_reason_the_api_wants(stack: Stack) -> None:
    """At least three characters besides spaces and invisible ones, as `WithdrawIn` counts."""
    writer, statement_id = _published(stack)
    client = browser_client(stack)
    sign_in(client, writer)
    url = f"/ui/pr/statements/{statement_id}"
    token = csrf_of(client.get(url).text)
    for said_nothing in ("x", " ab ", "\u200b\u200b\u200b"):
        refused = client.post(f"{url}/withdraw", data={"csrf_token": token, "reason": said_nothing})
        assert refused.status_code == 422, said_nothing
        assert 'id="withdraw"' in refused.text
    done = client.post(f"{url}/withdraw", data={"csrf_token": token, "reason": "a typo"})
    assert done.status_code == 200 and "Withdrawn from every channel." in done.text
    with transaction(stack.rt.sessions) as session:
        withdrawn = session.get(Statement, statement_id)
        assert withdrawn is not None and withdrawn.withdrawn_reason == "a typo"


@pytest.mark.browser
def test_pr_drafts_fixes_approves_and_publishes_a_claimless_statement(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    writer, approver = module_stack.user("pr"), module_stack.user("pr")
    log_in(browser, live_url, writer)
    page_is(browser, "pr")
    css(browser, "#kind").send_keys("counter statement")
    css(browser, "#fact").send_keys("Drinking bleach does not cure any infection; it is a poison.")
    screenshot(browser, "70-pr-workspace")
    css(browser, "#draft-submit").click()
    page_is(browser, "pr-statement")
    body = css(browser, "#body").get_attribute("value")
    assert "$" not in body and "rated it" not in body
    assert (
        "link at least one source" in css(browser, "#checks-title").find_element("xpath", "..").text
    )
    screenshot(browser, "71-pr-draft-needs-a-source")
    css(browser, "#sources").send_keys(SOURCE)
    css(browser, "#edit-note").send_keys("added the poison centre's page")
    css(browser, "#save-version").click()
    wait_for(browser, lambda d: "All checks pass." in css(d, "main").text)
    statement_url = browser.current_url.split("?")[0]

    log_in(browser, live_url, approver, path=statement_url.replace(live_url, ""))
    page_is(browser, "pr-statement")
    css(browser, "#approve").click()
    wait_for(browser, lambda d: css(d, "#statement-status").text == "approved")
    css(browser, "#publish").click()
    wait_for(browser, lambda d: d.switch_to.alert).accept()
    wait_for(browser, lambda d: css(d, "#statement-status").text == "published")
    assert not browser.find_elements("css selector", "#publish, #approve")
    screenshot(browser, "72-pr-published-no-publish-button")

    browser.get(css(browser, "#public-link").get_attribute("href"))
    wait_for(browser, lambda d: "Published" in css(d, "#dates").text)
    assert "Drinking bleach does not cure" in css(browser, "article").text
    screenshot(browser, "73-public-statement-page")


@pytest.mark.browser
def test_pr_finds_the_draft_a_removal_opened_and_drafts_an_outage_notice(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    _remove(
        module_stack,
        "5G towers spread the virus, wake up and share!!",
        false_claim(module_stack.rt).id,
    )
    log_in(browser, live_url, module_stack.user("pr"))
    page_is(browser, "pr")
    badge = browser.find_elements("css selector", "table.data tbody tr .badge")
    assert badge, "the draft a removal opened is marked new"
    badge[0].find_element("xpath", "..").find_element("css selector", "a").click()
    page_is(browser, "pr-statement")
    assert "opened automatically after a removal" in css(browser, "#drafted-by").text
    assert "$" not in css(browser, "#body").get_attribute("value")
    screenshot(browser, "74-pr-draft-opened-by-a-removal")

    browser.get(f"{live_url}/ui/pr")
    page_is(browser, "pr")
    css(browser, "#kind").send_keys("service interruption")
    css(browser, "#fact").send_keys("Messages sent since 09:10 arrive late.")
    css(browser, "#notice-facts summary").click()
    for name, value in {
        "service": "Messaging",
        "current_status": "degraded",
        "started_at": "09:10 UTC",
        "what_to_do": "Nothing; no message is lost.",
        "next_update": "11:00 UTC",
        "status_url": "https://status.example.com",
    }.items():
        css(browser, f"#fact_{name}").send_keys(value)
    screenshot(browser, "75-pr-outage-notice-form")
    css(browser, "#draft-submit").click()
    page_is(browser, "pr-statement")
    assert "Messages sent since 09:10 arrive late." in css(browser, "#body").get_attribute("value")
    assert "All checks pass." in css(browser, "main").text


@pytest.mark.browser
def test_an_automatic_draft_is_approved_only_after_a_person_saved_it(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    claim = false_claim(module_stack.rt)
    _remove(module_stack, "5G masts carry the virus, share before it is deleted", claim.id)
    with module_stack.rt.sessions() as session:  # one open draft per claim: this test's or
        statement_id = session.scalars(  # the one an earlier removal of the claim opened
            select(Statement.id).where(
                Statement.claim_id == claim.id,
                Statement.status == "draft",
                Statement.version == 1,
            )
        ).one()
    checker, approver = module_stack.user("pr"), module_stack.user("pr")
    log_in(browser, live_url, approver, f"/ui/pr/statements/{statement_id}")
    page_is(browser, "pr-statement")
    assert "Drafted automatically" in css(browser, "#needs-a-person").text
    css(browser, "#approve").click()
    wait_for(browser, lambda d: "drafted automatically" in css(d, "#statement-error").text)
    assert css(browser, "#statement-status").text == "draft"
    screenshot(browser, "76-pr-automatic-draft-needs-a-person")

    log_in(browser, live_url, checker, f"/ui/pr/statements/{statement_id}")
    css(browser, "#edit-note").send_keys("read against the fact-check: fine as drafted")
    css(browser, "#save-version").click()
    wait_for(browser, lambda d: "Saved as a new version" in css(d, "main").text)
    assert not browser.find_elements("css selector", "#needs-a-person")
    css(browser, "#approve").click()  # the person who saved it is its author now
    wait_for(browser, lambda d: "second person" in css(d, "#statement-error").text)

    log_in(browser, live_url, approver, f"/ui/pr/statements/{statement_id}")
    css(browser, "#approve").click()
    wait_for(browser, lambda d: css(d, "#statement-status").text == "approved")
