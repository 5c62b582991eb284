"""Triage end to end: the platform scores posts over HTTP, the real shipped claim matcher
matches them against the bundled library (in process, and through Elasticsearch kNN), the
pipeline routes them, and a reviewer sees the match on the case page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient
from sqlalchemy import select

from claims.models import Claim, ClaimPost, stable_claim_id
from core.db import transaction
from core.migrate import upgrade
from core.settings import ElasticsearchSettings
from pipeline.models import ReviewCase
from pipeline.signals import IntakeSignals
from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import auth, new_api_key, wait_for
from tests.review_ui.conftest import (
    Stack,
    import_bundled_claims,
    signed_in,
    stack_on,
    take_next,
)

BLEACH = stable_claim_id("fixture", "fx-002")  # "Drinking bleach or disinfectant cures COVID-19."
REPEAT = "Doctors won't tell you: drinking bleach cures covid-19, share before they delete it!!"
EVERYDAY = "Heading to Grandma's for the weekend, can't wait"


def _with_fixture_claims(rt: Runtime) -> None:
    rt.signals_override = IntakeSignals(rt.claim_library, None)
    import_bundled_claims(rt, "fixture")


def _stack(url: str, **settings: Any) -> Iterator[Stack]:
    upgrade(url)
    yield from stack_on(url, lambda: None, _with_fixture_claims, **settings)


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Stack]:
    yield from _stack(f"sqlite:///{tmp_path / 'e2e.db'}")


@pytest.fixture
def with_elasticsearch(tmp_path: Path, elasticsearch_url: str, es_prefix: str) -> Iterator[Stack]:
    es = ElasticsearchSettings(hosts=[elasticsearch_url], index_prefix=es_prefix)
    yield from _stack(f"sqlite:///{tmp_path / 'e2e.db'}", elasticsearch=es)


def _score_both(rt: Runtime) -> dict[str, Any]:
    with TestClient(create_app(rt)) as client:
        resp = client.post(
            "/v1/score",
            json={"posts": [{"id": "rep", "text": REPEAT}, {"id": "day", "text": EVERYDAY}]},
            headers=auth(new_api_key(rt)),
        )
    assert resp.status_code == 200, resp.text
    return {r["id"]: r for r in resp.json()["results"]}


def _assert_matched_and_linked(stack: Stack) -> None:
    results = _score_both(stack.rt)
    best = results["rep"]["claim_matches"][0]
    assert (best["claim_id"], best["status"], best["verdict"]) == (BLEACH, "confirmed", "false")
    assert results["rep"]["band"] == "urgent"
    assert results["day"]["claim_matches"] == [] and results["day"]["case_opened"] is False
    with stack.rt.sessions() as session:
        links = session.scalars(select(ClaimPost.post_id).where(ClaimPost.claim_id == BLEACH))
        assert list(links) == ["rep"]
    wait_for(lambda: _case_of(stack.rt, "rep") is not None, what="the urgent case")


def _case_of(rt: Runtime, post_id: str) -> ReviewCase | None:
    with rt.sessions() as session:
        return session.scalars(select(ReviewCase).where(ReviewCase.post_id == post_id)).first()


def test_embedded_a_repeated_claim_is_matched_routed_and_shown_to_the_reviewer(
    embedded: Stack,
) -> None:
    _assert_matched_and_linked(embedded)
    case = _case_of(embedded.rt, "rep")
    assert case is not None and (case.band, case.claim_id) == ("urgent", BLEACH)
    reviewer = signed_in(embedded, "reviewer")
    assert take_next(reviewer) == f"/ui/review/cases/{case.id}"
    page = reviewer.get(f"/ui/review/cases/{case.id}").text
    panel = page[page.index('id="matched-claims"') : page.index('id="related-posts"')]
    with embedded.rt.sessions() as session:
        claim = session.get(Claim, BLEACH)
        assert claim is not None
        text, source = claim.text, claim.source_url
    assert text in panel and "confirmed" in panel and "verdict-false" in panel
    assert "similarity 0." in panel and "matched by system:matcher" in panel
    assert source and source in panel
    assert 'id="checkworthiness">not measured<' in page and "language en" in page


@pytest.mark.services
def test_with_elasticsearch_the_library_is_searched_by_knn_and_matches_the_same(
    with_elasticsearch: Stack, elasticsearch_url: str, es_prefix: str
) -> None:
    _assert_matched_and_linked(with_elasticsearch)
    client = Elasticsearch(elasticsearch_url)
    try:
        client.indices.refresh(index=f"{es_prefix}-claims")
        assert client.count(index=f"{es_prefix}-claims")["count"] == 32
    finally:
        client.close()


def test_incident_detection_uses_the_matches_stored_at_intake(embedded: Stack) -> None:
    """No second matcher: the scan joins the post to its claim's narrative from the stored
    match, and the everyday post to a near-duplicate cluster."""
    from incidents.detection import scan
    from incidents.models import NarrativePost

    _score_both(embedded.rt)
    with transaction(embedded.rt.sessions) as session:
        assert scan(session) == 2  # no claim lookup passed
    with embedded.rt.sessions() as session:
        keys = dict(session.execute(select(NarrativePost.post_id, NarrativePost.key)).all())
    assert keys["rep"] == f"claim:{BLEACH}"
    assert keys["day"].startswith("dup:")
