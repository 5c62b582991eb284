"""Publishing everywhere the claim went, idempotently; withdrawing takes it back everywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.dispatch import InProcessDispatcher
from core.outbound import policy_from
from pipeline.models import EnforcementAction
from pipeline.platform_receiver import ReceiverState
from runtime.container import Runtime
from statements.config import StatementSettings
from statements.delivery import WebhookSender, deliver_pending
from statements.models import StatementDelivery
from tests.conftest import auth, new_user_token
from tests.statements.helpers import (
    OFFICIAL_SECRET,
    WebhookReceiver,
    false_claim,
    post_linked_to,
    statement_api,
)

URL = "/v1/statements"
A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def settings(official: WebhookReceiver) -> StatementSettings:
    return StatementSettings(
        public_base_url="https://veracity.example",
        webhook_url=official.url,
        webhook_secret=OFFICIAL_SECRET,
        max_delivery_attempts=3,
    )


@pytest.fixture
def api(client: TestClient, settings: StatementSettings) -> Iterator[TestClient]:
    yield from statement_api(client, settings)


def _approved(rt: Runtime, api: TestClient) -> tuple[str, str, str, list[str]]:
    claim = false_claim(rt)
    posts = [post_linked_to(rt, claim.id), post_linked_to(rt, claim.id)]
    pr1, pr2 = new_user_token(rt, "pr"), new_user_token(rt, "pr")
    made = api.post(
        URL, json={"kind": "counter_statement", "claim_id": claim.id}, headers=auth(pr1)
    )
    assert (
        api.post(
            f"{URL}/{made.json()['id']}/approve", json={"version": 1}, headers=auth(pr2)
        ).status_code
        == 200
    )
    return made.json()["id"], claim.id, pr1, posts


def _feed_entries(api: TestClient) -> dict[str, ET.Element]:
    resp = api.get(f"{URL}/feed.atom")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith(
        "application/atom+xml"
    )
    feed = ET.fromstring(resp.content)  # noqa: S314 - our own feed, parsed to validate it
    assert feed.tag == f"{A}feed"
    for required in ("id", "title", "updated"):
        assert (feed.findtext(f"{A}{required}") or "").strip(), required
    entries = {}
    for entry in feed.findall(f"{A}entry"):
        for required in ("id", "title", "updated"):
            assert (entry.findtext(f"{A}{required}") or "").strip(), required
        assert entry.find(f"{A}link[@rel='alternate']") is not None
        entries[entry.findtext(f"{A}id") or ""] = entry
    return entries


def test_publish_reaches_every_channel_once_and_withdraw_takes_it_back(
    rt: Runtime,
    api: TestClient,
    pipeline: InProcessDispatcher,
    receiver: tuple[ReceiverState, str],
    official: WebhookReceiver,
) -> None:
    sid, _, pr, posts = _approved(rt, api)
    first = api.post(f"{URL}/{sid}/publish", headers=auth(pr))
    assert first.status_code == 200 and first.json()["status"] == "published"
    assert api.post(f"{URL}/{sid}/publish", headers=auth(pr)).status_code == 200  # idempotent
    pipeline.drain()

    # The official account got one signed publish event.
    [event] = official.events.values()
    assert event["event"] == "statement.publish" and event["statement_id"] == sid
    assert official.bad_signatures == 0 and official.hits == 1
    # Every post repeating the claim carries the label, once.
    platform, _ = receiver
    labels = [a for a in platform.actions_applied() if a["action"] == "label"]
    assert sorted(a["post_id"] for a in labels) == sorted(posts)
    with rt.sessions() as session:
        assert len(session.scalars(select(EnforcementAction)).all()) == 2

    entry = _feed_entries(api)[f"urn:veracity:statement:{sid}"]
    assert "https://www.who.int/" in (entry.findtext(f"{A}content") or "")
    # The entry's link is a public page showing the statement and its sources.
    link = next(e.get("href") for e in entry.findall(f"{A}link"))
    assert link is not None
    assert link.endswith(f"/v1/statements/{sid}/public")
    page = api.get(f"{URL}/{sid}/public")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "https://www.who.int/" in page.text

    review = api.get(f"{URL}/{sid}/claimreview.jsonld")
    assert review.headers["content-type"].startswith("application/ld+json")
    doc: dict[str, Any] = json.loads(review.content)
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "ClaimReview"
    for field in (
        "claimReviewed",
        "reviewRating",
        "url",
        "author",
        "datePublished",
        "itemReviewed",
    ):
        assert doc[field], field
    assert (
        doc["reviewRating"]["alternateName"] == "False" and doc["reviewRating"]["ratingValue"] == 1
    )
    assert doc["author"]["name"] and doc["itemReviewed"]["@type"] == "Claim"

    gone = api.post(f"{URL}/{sid}/withdraw", json={"reason": "superseded"}, headers=auth(pr))
    assert gone.json()["status"] == "withdrawn"
    pipeline.drain()
    assert f"urn:veracity:statement:{sid}" not in _feed_entries(api)
    assert api.get(f"{URL}/{sid}/claimreview.jsonld").status_code == 404
    assert api.get(f"{URL}/{sid}/public").status_code == 404
    unlabels = [a for a in platform.actions_applied() if a["action"] == "unlabel"]
    assert sorted(a["post_id"] for a in unlabels) == sorted(posts)
    assert [e["event"] for e in official.events.values()] == [
        "statement.publish",
        "statement.withdraw",
    ]
    assert (
        api.post(
            f"{URL}/{sid}/edit",
            json={"title": "t", "body": "b", "base_version": 1},
            headers=auth(pr),
        ).status_code
        == 409
    )


def test_a_failed_webhook_delivery_is_retried_without_duplicates(
    rt: Runtime, api: TestClient, official: WebhookReceiver, settings: StatementSettings
) -> None:
    sid, _, pr, _ = _approved(rt, api)
    official.fail_next = [503]
    assert api.post(f"{URL}/{sid}/publish", headers=auth(pr)).json()["status"] == "published"
    assert official.events == {}
    with rt.sessions() as session:
        [delivery] = session.scalars(select(StatementDelivery)).all()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
    sender = WebhookSender(official.url, OFFICIAL_SECRET, outbound=policy_from(rt.settings))
    assert deliver_pending(rt.sessions, sender, settings, now=delivery.next_attempt_at) == {
        "delivered": 1
    }
    assert deliver_pending(rt.sessions, sender, settings) == {}
    assert len(official.events) == 1 and official.hits == 2


def test_a_correction_is_approved_before_it_replaces_the_published_text(
    rt: Runtime, api: TestClient, official: WebhookReceiver
) -> None:
    sid, _, pr1, _ = _approved(rt, api)
    api.post(f"{URL}/{sid}/publish", headers=auth(pr1))
    before = _feed_entries(api)[f"urn:veracity:statement:{sid}"].findtext(f"{A}content")
    current = api.get(f"{URL}/{sid}", headers=auth(pr1)).json()
    fix = {
        "title": current["title"],
        "body": current["body"] + "\nCorrection: wording.",
        "note": "typo",
        "base_version": current["version"],
    }
    corrected = api.post(f"{URL}/{sid}/edit", json=fix, headers=auth(pr1)).json()
    assert corrected["status"] == "draft" and corrected["published_version"] == 1
    assert _feed_entries(api)[f"urn:veracity:statement:{sid}"].findtext(f"{A}content") == before
    pr2 = new_user_token(rt, "pr")
    api.post(f"{URL}/{sid}/approve", json={"version": 2}, headers=auth(pr2))
    assert api.post(f"{URL}/{sid}/publish", headers=auth(pr1)).json()["published_version"] == 2
    text = _feed_entries(api)[f"urn:veracity:statement:{sid}"].findtext(f"{A}content") or ""
    assert "Correction: wording." in text
    assert sorted(e["version"] for e in official.events.values()) == [1, 2]
