"""The legal desk: a case history that shows the post and reads as a timeline, DSA statements
of reasons with public facts and the legal ground recorded at decision time, and the downloads
of statements of reasons and export manifests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from audit.events import Action
from audit.models import AuditEvent
from tests.review_ui.browsing import allow_downloads, css, downloaded, log_in, page_is, wait_for
from tests.review_ui.conftest import (
    Stack,
    browser_client,
    decide_next,
    screenshot,
    sign_in,
    signed_in,
)

NOTE = "internal: same account as last week's ring, ask Sam"
FACTS = "The post says a vaccine contains microchips; health authorities have shown it does not."


def _decide(stack: Stack, text: str, **fields: Any) -> str:
    (post_id,) = stack.queue_posts(
        [text], author_id="acct-77", author_name="Dana Example", url="https://platform.example/p/1"
    )
    return decide_next(stack, NOTE, post_id=post_id, **fields)[0]


def _statements(client: Any) -> list[dict[str, Any]]:
    resp = client.get("/ui/legal/dsa.ndjson")
    assert resp.status_code == 200 and "attachment" in resp.headers["content-disposition"]
    return [s for line in resp.text.splitlines() for s in json.loads(line)["statements"]]


def test_statements_of_reasons_carry_public_facts_and_the_legal_ground_never_the_note(
    stack: Stack,
) -> None:
    _decide(
        stack,
        "Vaccines have microchips to track you, share before they delete this!!",
        public_facts=FACTS,
        legal_ground="Illegal under national law: Criminal Code s. 126 (public health hoax)",
    )
    _decide(stack, "5G towers spread the virus, share share share")
    client = browser_client(stack)
    legal = stack.user("legal")
    sign_in(client, legal)
    illegal, ordinary = _statements(client)
    assert illegal["decision_facts"] == FACTS
    assert illegal["incompatible_content_illegal"] == "Yes"
    assert illegal["illegal_content_legal_ground"].startswith("Illegal under national law")
    assert ordinary["incompatible_content_illegal"] == "No"
    assert "illegal_content_legal_ground" not in ordinary
    assert "fact-checkers found to be false" in ordinary["decision_facts"]
    for statement in (illegal, ordinary):
        assert "Sam" not in json.dumps(statement) and "internal" not in json.dumps(statement)
    with stack.rt.sessions() as session:
        (logged,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.DSA_STATEMENTS_EXPORTED.value)
        ).all()
    after: dict[str, Any] = json.loads(json.dumps(logged.document))["veracity"]["after"]
    assert logged.actor_name == legal
    assert after["statements"] == 2 and after["via"] == "ui"  # logged once all was sent


def test_a_case_history_shows_the_post_and_a_readable_timeline(stack: Stack) -> None:
    case_id = _decide(stack, "Miracle cure: bleach kills the virus, share now!!")
    client = signed_in(stack, "legal")
    page = client.get(f"/ui/legal/cases/{case_id}")
    assert page.status_code == 200
    assert "Miracle cure: bleach kills the virus" in page.text
    assert (
        "Dana Example (acct-77)" in page.text and 'href="https://platform.example/p/1"' in page.text
    )
    assert "Taken by a reviewer" in page.text and "Decided" in page.text
    assert "action: remove · reason: false claim" in page.text
    assert "case_status:" not in page.text  # no raw key/value dump


def test_export_manifests_are_listed_and_downloaded(stack: Stack) -> None:
    _decide(stack, "Miracle cure: garlic and bleach kill the virus, share before they delete it!!")
    client = signed_in(stack, "legal")
    exported = client.get("/ui/legal/export", params={"format": "ndjson"})
    export_id = exported.headers["x-export-id"]
    desk = client.get("/ui/legal")
    assert f'id="manifest-{export_id}"' in desk.text
    manifest = client.get(f"/ui/legal/exports/{export_id}/manifest.json")
    assert "attachment" in manifest.headers["content-disposition"]
    assert manifest.json()["export_id"] == export_id and len(manifest.json()["sha256"]) == 64
    assert client.get("/ui/legal/exports/nope/manifest.json").status_code == 404
    assert client.get("/ui/legal/dsa.ndjson", params={"since": "May 1"}).status_code == 422


def test_an_export_that_broke_off_is_marked_so_in_the_recent_exports(stack: Stack) -> None:
    """Its count and SHA-256 are of what went out before it stopped, not of every match."""
    from audit.events import Subject
    from audit.service import record
    from core.actors import Actor
    from core.db import transaction

    export_id = "e" * 32
    manifest: dict[str, object] = {
        "export_id": export_id,
        "format": "csv",
        "source": "database",
        "filters": {},
        "count": 500,
        "bytes": 4096,
        "sha256": "f" * 64,
        "generated_by": "lena",
        "started_at": "2026-11-30T10:00:00+00:00",
        "finished_at": "2026-11-30T10:05:00+00:00",
        "completed": False,
    }
    with transaction(stack.rt.sessions) as session:
        record(
            session,
            Action.LOG_EXPORTED,
            Actor.system("lena"),
            Subject(other={"export_id": export_id}),
            after=manifest,
        )
    client = signed_in(stack, "legal")
    client.get("/ui/legal/export", params={"format": "ndjson"})  # a whole one
    desk = client.get("/ui/legal").text
    rows = [row for row in desk.split("<tr>") if 'id="manifest-' in row]
    assert len(rows) == 2
    broken = [row for row in rows if export_id in row]
    assert len(broken) == 1 and "broken off" in broken[0]
    assert not any("broken off" in row for row in rows if export_id not in row)


def test_statements_for_a_period_that_ends_before_it_starts_are_refused_as_a_page(
    stack: Stack,
) -> None:
    client = signed_in(stack, "legal")
    resp = client.get("/ui/legal/dsa.ndjson", params={"since": "2026-05-01", "until": "2026-04-01"})
    assert resp.status_code == 422  # was a 500
    assert "text/html" in resp.headers["content-type"]
    assert "&#39;since&#39; is after &#39;until&#39;" in resp.text


@pytest.mark.browser
def test_legal_reads_a_case_and_downloads_statements_of_reasons_and_a_manifest(
    browser: Any, live_url: str, module_stack: Stack, tmp_path: Path
) -> None:
    case_id = _decide(
        module_stack,
        "Vaccines have microchips to track you, share before they delete this!!",
        public_facts=FACTS,
        legal_ground="Illegal under national law: Criminal Code s. 126",
    )
    allow_downloads(browser, tmp_path)
    log_in(browser, live_url, module_stack.user("legal"))
    page_is(browser, "legal")
    browser.get(f"{live_url}/ui/legal/cases/{case_id}")
    page_is(browser, "legal-case")
    assert "Dana Example" in css(browser, "#case-post").text
    assert "Decided" in css(browser, "#history").text
    screenshot(browser, "90-legal-case-history")

    browser.get(f"{live_url}/ui/legal")
    css(browser, "#dsa-download").click()
    statements = downloaded(tmp_path, ".ndjson")
    lines = [json.loads(line) for line in statements.read_text().splitlines()]
    found = [s for line in lines for s in line["statements"] if s["decision_facts"] == FACTS]
    assert found and found[0]["incompatible_content_illegal"] == "Yes"

    browser.get(f"{live_url}/ui/legal?action=case.decided")
    css(browser, "#export-ndjson").click()  # an export, so that it has a manifest
    wait_for(
        browser,
        lambda d: any(
            p.name.startswith("veracity-actions-") and p.name.endswith(".ndjson")
            for p in tmp_path.iterdir()
        ),
    )
    browser.get(f"{live_url}/ui/legal")
    page_is(browser, "legal")
    manifest_link = wait_for(browser, lambda d: css(d, "#exports a.button"))
    screenshot(browser, "91-legal-desk-downloads")
    manifest_link.click()
    manifest = json.loads(downloaded(tmp_path, ".manifest.json").read_text())
    assert len(manifest["sha256"]) == 64 and manifest["count"] >= 1


@pytest.mark.browser
def test_a_reviewer_records_public_facts_and_the_legal_ground_that_legal_then_downloads(
    browser: Any, live_url: str, module_stack: Stack, tmp_path: Path
) -> None:
    from selenium.webdriver.common.keys import Keys

    from tests.review_ui.browsing import keys

    module_stack.queue_posts(
        ["BREAKING: the miracle cure is garlic and bleach, share before they delete it!!"],
        author_id="acct-88",
        views=5000,
    )
    log_in(browser, live_url, module_stack.user("reviewer"))
    keys(browser, "n")
    page_is(browser, "review-case")
    keys(browser, "1", "r")
    css(browser, "#dsa-fields summary").click()
    css(browser, "#public_facts").send_keys("The post says bleach cures the virus; it is a poison.")
    css(browser, "#legal_ground").send_keys("Public Health Act s. 12 (dangerous health hoax)")
    screenshot(browser, "92-reviewer-statement-of-reasons-fields")
    left = browser.current_url
    css(browser, "#public_facts").send_keys(Keys.TAB)
    css(browser, "#submit-decision").click()
    wait_for(browser, lambda d: d.current_url != left)

    allow_downloads(browser, tmp_path)
    log_in(browser, live_url, module_stack.user("legal"))
    page_is(browser, "legal")
    css(browser, "#dsa-download").click()
    lines = downloaded(tmp_path, ".ndjson").read_text().splitlines()
    statements = [s for line in lines for s in json.loads(line)["statements"]]
    (ours,) = [s for s in statements if s["decision_facts"].startswith("The post says bleach")]
    assert ours["incompatible_content_illegal"] == "Yes"
    assert ours["illegal_content_legal_ground"] == "Public Health Act s. 12 (dangerous health hoax)"


@pytest.mark.browser
def test_a_corrected_decision_carries_its_own_public_facts_and_legal_ground_into_its_statement(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    from sqlalchemy import select

    from pipeline.models import Decision
    from pipeline.queue import QueueFilter
    from tests.review_ui.test_reviewer_console import lang

    code = lang()
    (post_id,) = module_stack.queue_posts(
        ["Garlic water cures the virus in a day, share before they delete it!!"], lang=code
    )
    _, first = decide_next(
        module_stack,
        NOTE,
        post_id=post_id,
        filters=QueueFilter(lang=code),
        public_facts="The post says garlic water cures the virus.",
    )

    log_in(browser, live_url, module_stack.user("senior_reviewer"), "/ui/decisions")
    page_is(browser, "decisions")
    css(browser, f"#correct-{first}").click()
    page_is(browser, "decision-correct")
    facts = css(browser, "#public_facts")
    assert facts.get_attribute("value") == "The post says garlic water cures the virus."
    css(browser, "#action-label").click()
    browser.find_element(
        "css selector", 'input[name="reason_code"][value="misleading_context"]'
    ).click()
    css(browser, "#note").send_keys("internal: Sam thinks it is satire gone wrong")
    facts.clear()
    facts.send_keys("The post presents a home remedy as a cure; it cures nothing.")
    css(browser, "#legal_ground").send_keys("Public Health Act s. 12 (dangerous health hoax)")
    css(browser, "#why").send_keys("A label with the facts is proportionate")
    css(browser, "#apply-correction").click()
    browser.switch_to.alert.accept()
    wait_for(browser, lambda d: "Decision corrected" in css(d, "main").text)
    module_stack.dispatcher.drain()

    with module_stack.rt.sessions() as session:
        latest = session.scalars(
            select(Decision)
            .where(Decision.post_id == post_id)
            .order_by(Decision.created_at.desc(), Decision.id.desc())
        ).first()
    assert latest is not None and latest.id != first and latest.action == "label"
    assert latest.public_facts == "The post presents a home remedy as a cure; it cures nothing."
    assert latest.legal_ground == "Public Health Act s. 12 (dangerous health hoax)"

    client = signed_in(module_stack, "legal")
    (label,) = [
        s
        for s in _statements(client)
        if s["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_LABELLED"]
        and s["decision_facts"].startswith("The post presents a home remedy")
    ]
    assert label["incompatible_content_illegal"] == "Yes"
    assert (
        label["illegal_content_legal_ground"] == "Public Health Act s. 12 (dangerous health hoax)"
    )
    assert label["incompatible_content_ground"] == "Misinformation policy: misleading context"
    assert "Sam" not in json.dumps(label)
