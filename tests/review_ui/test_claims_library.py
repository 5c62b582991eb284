"""The claim library page: browse, search, add, edit, retire, import; who may change it; a
retired claim is no longer matched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from claims.library_service import library_version
from claims.matching.library import library_rows
from claims.models import Claim
from tests.review_ui.browsing import css, log_in, page_is, wait_for
from tests.review_ui.conftest import Stack, csrf_of, screenshot, signed_in, submit
from tests.statements.helpers import load_fixture_claims

FIXTURE = [
    {
        "origin_ref": "up-1",
        "text": "Eating raw garlic protects you from the flu virus completely.",
        "verdict": "false",
        "source_url": "https://factcheck.example/garlic",
        "source_name": "Example Fact Check",
        "explanation": "Garlic does not prevent influenza. Vaccination lowers the risk.",
    },
    {
        "origin_ref": "up-2",
        "text": "The city water supply was switched off for a month.",
        "verdict": "misleading",
        "source_url": "https://factcheck.example/water",
        "source_name": "Example Fact Check",
        "explanation": "One district was without water for six hours during repairs.",
    },
]


# The add and edit forms' fields other than the claim's text.
WIND: dict[str, Any] = {
    "verdict": "false",
    "source_url": "https://factcheck.example/wind",
    "source_name": "Example Fact Check",
    "explanation": "No study links wind turbines to cancer.",
}


def test_pr_adds_edits_and_retires_a_claim_and_the_matcher_stops_using_it(stack: Stack) -> None:
    client = signed_in(stack, "pr")
    page = client.get("/ui/claims")
    assert page.status_code == 200 and "Add a claim" in page.text
    added = submit(
        client,
        page,
        "/ui/claims",
        text="Wind turbines cause cancer in people living nearby.",
        **WIND,
    )
    assert added.status_code == 303 and added.headers["location"].endswith("?notice=added")
    claim_url = added.headers["location"].split("?")[0]
    claim_id = claim_url.rsplit("/", 1)[1]
    with stack.rt.sessions() as session:
        assert claim_id in {r.id for r in library_rows(session)}
        version_before = library_version(session)

    detail = client.get(claim_url)
    edited = submit(
        client,
        detail,
        f"{claim_url}/edit",
        text="Wind turbines give cancer to people who live near them.",
        **WIND,
    )
    assert edited.status_code == 303
    with stack.rt.sessions() as session:
        assert library_version(session) != version_before  # the runtime matcher refits
        logged = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "claim.edited")
        ).one()
        document: dict[str, Any] = logged.document
        assert document["veracity"]["before"] == {
            "text": "Wind turbines cause cancer in people living nearby."
        }

    no_reason = submit(client, detail, f"{claim_url}/retire", reason=" ")
    assert no_reason.status_code == 422 and "say why" in no_reason.text
    retired = submit(client, detail, f"{claim_url}/retire", reason="duplicate of an older claim")
    assert retired.status_code == 303
    with stack.rt.sessions() as session:
        assert claim_id not in {r.id for r in library_rows(session)}
        claim = session.get(Claim, claim_id)
        assert claim is not None and claim.retired_reason == "duplicate of an older claim"
    live = client.get("/ui/claims", params={"q": "wind turbines"})
    assert "0</span> claims" in live.text
    listed = client.get("/ui/claims", params={"q": "wind turbines", "state": "retired"})
    assert claim_id in listed.text and "(retired)" in listed.text


def test_the_library_is_paginated_and_searchable(stack: Stack) -> None:
    claims = load_fixture_claims(stack.rt)
    client = signed_in(stack, "reviewer")
    first = client.get("/ui/claims", params={"state": "all"})
    assert f"{len(claims)}</span> claims" in first.text and "page 1 of" in first.text
    second = client.get("/ui/claims", params={"state": "all", "page": "2"})
    assert "page 2 of" in second.text and 'id="prev-page"' in second.text
    found = client.get("/ui/claims", params={"q": "5G"})
    assert "1</span> claim" in found.text and "5G mobile networks" in found.text
    assert "Add a claim" not in found.text  # reviewers read, they do not edit


def test_reviewers_read_but_cannot_change_the_library(stack: Stack) -> None:
    claim = load_fixture_claims(stack.rt)[0]
    client = signed_in(stack, "reviewer")
    page = client.get(f"/ui/claims/{claim.id}")
    assert page.status_code == 200 and "Retire" not in page.text
    token = csrf_of(page.text)
    for path in ("/ui/claims", f"/ui/claims/{claim.id}/edit", f"/ui/claims/{claim.id}/retire"):
        data = {"csrf_token": token, "text": "x y z", "verdict": "false", "reason": "no"}
        assert client.post(path, data=data).status_code == 403, path
    assert signed_in(stack, "legal").get("/ui/claims").status_code == 403


def test_an_import_adds_new_claims_once_and_refuses_bad_files(stack: Stack) -> None:
    client = signed_in(stack, "senior_reviewer")
    token = csrf_of(client.get("/ui/claims").text)

    def upload(name: str, body: bytes, content_type: str) -> Any:
        return client.post(
            "/ui/claims/import",
            data={"csrf_token": token},
            files={"file": (name, body, content_type)},
        )

    body = json.dumps(FIXTURE).encode()
    done = upload("claims.json", body, "application/json")
    assert done.status_code == 200 and "2 read, 2 added, 0 already" in done.text
    again = upload("claims.json", body, "application/json")
    assert "2 read, 0 added, 2 already" in again.text
    rows = "origin_ref,text,verdict,source_url,source_name,explanation\n" + (
        "c-1,Vaccines contain tracking microchips,false,https://factcheck.example/chips,"
        "Example,Vaccines hold no electronics.\n"
    )
    assert "1 read, 1 added" in upload("more.csv", rows.encode(), "text/csv").text

    too_big = upload("big.json", b"[" + b" " * (1024 * 1024 + 10) + b"]", "application/json")
    assert too_big.status_code == 413
    wrong_type = upload("claims.pdf", b"%PDF-1.4", "application/pdf")
    assert wrong_type.status_code == 415
    fake_json = upload("claims.json", b"%PDF-1.4 not json", "application/json")
    assert fake_json.status_code == 422 and "does not parse" in fake_json.text
    bad_verdict = [dict(FIXTURE[0], origin_ref="up-9", verdict="maybe")]
    refused = upload("claims.json", json.dumps(bad_verdict).encode(), "application/json")
    assert refused.status_code == 422 and "Claim 1: verdict" in refused.text
    js_link = [dict(FIXTURE[0], origin_ref="up-8", source_url="javascript:alert(1)")]
    assert upload("c.json", json.dumps(js_link).encode(), "application/json").status_code == 422


@pytest.mark.browser
def test_a_pr_person_finds_adds_retires_and_imports_claims_in_the_browser(
    browser: Any, live_url: str, module_stack: Stack, tmp_path: Path
) -> None:
    load_fixture_claims(module_stack.rt)
    log_in(browser, live_url, module_stack.user("pr"))
    css(browser, 'nav[aria-label="Sections"] a[href="/ui/claims"]').click()
    page_is(browser, "claims")
    css(browser, "#q").send_keys("bleach")
    css(browser, "#search-claims").click()
    wait_for(browser, lambda d: "Drinking bleach" in css(d, "#claims").text)
    screenshot(browser, "80-claims-library-search")

    css(browser, "#new-text").send_keys("Solar panels drain the sun's energy and cool the planet.")
    css(browser, "#new-source-url").send_keys("https://factcheck.example/solar")
    css(browser, "#new-source-name").send_keys("Example Fact Check")
    css(browser, "#new-explanation").send_keys("Solar panels use a tiny share of sunlight.")
    css(browser, "#add-claim").click()
    page_is(browser, "claim")
    assert "Claim added" in css(browser, "main").text
    css(browser, "#retire-reason").send_keys("worded too narrowly")
    css(browser, "#retire-claim").click()
    wait_for(browser, lambda d: d.switch_to.alert).accept()
    wait_for(browser, lambda d: "no longer matched" in css(d, "main").text)
    assert css(browser, "#retired-badge").text == "(retired)"
    screenshot(browser, "81-claim-retired")

    upload = tmp_path / "claims.json"
    upload.write_text(json.dumps(FIXTURE))
    browser.get(f"{live_url}/ui/claims")
    css(browser, "#import-file").send_keys(str(upload))
    css(browser, "#import-claims").click()
    wait_for(browser, lambda d: "2 read, 2 added" in css(d, "#import-result").text)
    screenshot(browser, "82-claims-imported")
