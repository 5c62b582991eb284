"""Legal's full-text search (`q`) finds the same events in the database log as in
Elasticsearch: the words of the query, in any case, whatever punctuation is around them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from runtime.web import create_app
from tests.audit.factories import Store, write_events
from tests.conftest import auth, new_user_token

CROPPED = "misleading_context: Cropped chart from the ministry"
SALT = "false_claim: 喝盐水可以预防新冠病毒 🧂🚫"
SATIRE = "no_action: satire, labelled as such"


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("   ", {CROPPED, SALT, SATIRE}),  # no words: no text filter
        ("?! ,", {CROPPED, SALT, SATIRE}),
        ("CROPPED chart", {CROPPED}),
        ("chart, cropped", {CROPPED}),  # the words, not the punctuation between them
        ("(satire)", {SATIRE}),
        ("盐水", {SALT}),
        ("水盐", {SALT}),  # Chinese is searched character by character
        ("cropped satire", set()),
        ("🧂", {SALT}),  # an emoji is a word too
        ("🚫 cropped", set()),
    ],
)
def test_the_text_search_finds_the_same_events_on_either_store(
    store: Store, q: str, found: set[str]
) -> None:
    rt, ship = store
    for reason in (CROPPED, SALT, SATIRE):
        write_events(rt, 1, reason=reason)
    with TestClient(create_app(rt)) as client:
        headers = auth(new_user_token(rt, "legal"))
        ship()
        params = {"q": q, "action": "case.decided"}
        page = client.get("/v1/audit/events", params=params, headers=headers).json()
    assert {e["veracity"]["reason"] for e in page["events"]} == found
    assert page["total"] == len(found)


def test_the_text_search_ignores_case_in_every_script_on_either_store(store: Store) -> None:
    """SQLite's own lower() changes only A-Z: "ÉTÉ" or "МИНИСТЕРСТВО" were not found there by
    their lower case, while Elasticsearch (and PostgreSQL) found them."""
    rt, ship = store
    reason = "false_claim: ÉTÉ МИНИСТЕРСТВО ΕΛΛΆΔΑ Straße"
    write_events(rt, 1, reason=reason)
    write_events(rt, 1, reason=SATIRE)
    with TestClient(create_app(rt)) as client:
        headers = auth(new_user_token(rt, "legal"))
        ship()
        for q in ("été", "министерство", "ελλάδα", "straße", "Министерство ÉTÉ"):
            params = {"q": q, "action": "case.decided"}
            page = client.get("/v1/audit/events", params=params, headers=headers).json()
            assert [e["veracity"]["reason"] for e in page["events"]] == [reason], q


@pytest.mark.parametrize("q", ["istanbul", "İSTANBUL", "İstanbul"])
def test_a_dotted_capital_i_is_an_i_in_lower_case_on_either_store(store: Store, q: str) -> None:
    """ "İ" (U+0130) lowers to a plain "i" in Elasticsearch and PostgreSQL, where Python made
    it "i" and a combining dot: "istanbul" did not find "İstanbul" in the database log."""
    rt, ship = store
    write_events(rt, 1, reason="misleading_context: İstanbul bridge photo")
    with TestClient(create_app(rt)) as client:
        headers = auth(new_user_token(rt, "legal"))
        ship()
        params = {"q": q, "action": "case.decided"}
        assert client.get("/v1/audit/events", params=params, headers=headers).json()["total"] == 1
