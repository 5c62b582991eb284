"""Triage at intake on the embedded default: the real shipped claim matcher over the bundled
claims, language detection, and what a confirmed match does (link, route, label once)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from audit.models import AuditEvent
from claims.importers import read_source
from claims.library_service import LibraryMatcher
from claims.matching.model import default_parts
from claims.models import ClaimPost, stable_claim_id
from claims.schemas import ClaimIn
from claims.service import add_claim, import_claims
from core.clock import utcnow
from core.db import transaction
from pipeline.models import EnforcementAction, Post, ReviewCase, Score
from pipeline.routing import RoutingPolicy
from pipeline.signals import IntakeSignals
from runtime.container import Runtime
from runtime.web import create_app
from statements.models import Statement, StatementStatus
from tests.conftest import ADMIN, auth, new_api_key, wait_for

FIVE_G = stable_claim_id("fixture", "fx-001")  # "5G mobile networks spread the coronavirus."
REPEAT = "5G networks are spreading the coronavirus, turn off your phones now!"
BAKERY = "Our bakery opens at 8am, fresh croissants every morning"


def with_shipped_matcher(rt: Runtime) -> Runtime:
    """rt scoring with the shipped claim matcher (no check-worthiness model: signals that
    were not measured gate nothing)."""
    rt.signals_override = IntakeSignals(LibraryMatcher(rt.sessions, default_parts()), None)
    return rt


@pytest.fixture
def triage_rt(rt: Runtime) -> Runtime:
    """The test runtime with the shipped matcher and the bundled claims imported."""
    with_shipped_matcher(rt)
    with transaction(rt.sessions) as session:
        import_claims(session, read_source("fixture", None), ADMIN, source="fixture")
    return rt


@pytest.fixture
def triage_client(triage_rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(triage_rt)) as test_client:
        yield test_client


def _score(client: TestClient, key: str, *posts: dict[str, Any]) -> dict[str, Any]:
    resp = client.post("/v1/score", json={"posts": list(posts)}, headers=auth(key))
    assert resp.status_code == 200, resp.text
    return {r["id"]: r for r in resp.json()["results"]}


def test_a_post_repeating_a_library_claim_is_matched_linked_and_routed_urgent(
    triage_rt: Runtime, triage_client: TestClient, pipeline: object
) -> None:
    key = new_api_key(triage_rt)
    got = _score(triage_client, key, {"id": "r1", "text": REPEAT})["r1"]
    assert got["claim_matches"][0]["claim_id"] == FIVE_G
    assert got["claim_matches"][0]["status"] == "confirmed"
    assert got["claim_matches"][0]["verdict"] == "false"
    assert got["band"] == "urgent" and got["detected_lang"] == "en"
    with triage_rt.sessions() as session:
        link = session.scalars(select(ClaimPost).where(ClaimPost.post_id == "r1")).one()
        assert (link.claim_id, link.linked_by) == (FIVE_G, "system:matcher")
        scored = session.scalars(select(AuditEvent).where(AuditEvent.action == "post.scored")).one()
        logged: Any = scored.document["veracity"]
        assert logged["after"]["claim_matches"][0]["claim_id"] == FIVE_G
    wait_for(lambda: _case(triage_rt, "r1") is not None, what="the routed case")
    case = _case(triage_rt, "r1")
    assert case is not None and (case.band, case.claim_id) == ("urgent", FIVE_G)


def _case(rt: Runtime, post_id: str) -> ReviewCase | None:
    with rt.sessions() as session:
        return session.scalars(select(ReviewCase).where(ReviewCase.post_id == post_id)).first()


def test_an_everyday_post_is_not_matched_or_linked(
    triage_rt: Runtime, triage_client: TestClient
) -> None:
    got = _score(triage_client, new_api_key(triage_rt), {"id": "e1", "text": BAKERY})["e1"]
    assert got["claim_matches"] == [] and got["detected_lang"] == "en"
    with triage_rt.sessions() as session:
        assert session.scalars(select(ClaimPost).where(ClaimPost.post_id == "e1")).first() is None


def test_a_match_to_a_claim_with_a_published_statement_labels_the_post_once(
    triage_rt: Runtime, triage_client: TestClient
) -> None:
    with transaction(triage_rt.sessions) as session:
        statement = Statement(
            kind="debunk",
            title="5G does not spread viruses",
            body="Viruses cannot travel on radio waves.",
            claim_id=FIVE_G,
            created_by="pr",
            status=StatementStatus.PUBLISHED,
            published_version=1,
            published_at=utcnow(),
        )
        session.add(statement)
    key = new_api_key(triage_rt)
    _score(triage_client, key, {"id": "l1", "text": REPEAT})
    # the same post again, and edited (re-scored, matched again): still one label
    _score(triage_client, key, {"id": "l1", "text": REPEAT})
    _score(triage_client, key, {"id": "l1", "text": REPEAT + " Wake up!"})
    with triage_rt.sessions() as session:
        labels = session.scalars(
            select(EnforcementAction).where(
                EnforcementAction.post_id == "l1", EnforcementAction.action == "label"
            )
        ).all()
        assert len(labels) == 1
        assert labels[0].params["statement_id"] == statement.id
        assert session.scalars(select(ClaimPost).where(ClaimPost.post_id == "l1")).one()


def test_a_claim_added_after_startup_is_matched_without_a_restart(
    triage_rt: Runtime, triage_client: TestClient
) -> None:
    key = new_api_key(triage_rt)
    text = "The city's tap water has been laced with lithium to keep people calm"
    assert _score(triage_client, key, {"id": "n1", "text": text})["n1"]["claim_matches"] == []
    with transaction(triage_rt.sessions) as session:
        claim = add_claim(
            session,
            ClaimIn(text="Tap water is laced with lithium to sedate residents.", verdict="false"),
            ADMIN,
            origin="reviewer",
        )
        claim_id = claim.id
    again = _score(triage_client, key, {"id": "n2", "text": text})["n2"]
    assert [m["claim_id"] for m in again["claim_matches"]][:1] == [claim_id]


def test_a_post_in_a_language_with_no_model_gets_the_unsupported_band_and_is_not_queued(
    triage_rt: Runtime, triage_client: TestClient
) -> None:
    text = "Las redes 5G están propagando el coronavirus, ¡apaguen sus teléfonos ya!"
    got = _score(triage_client, new_api_key(triage_rt), {"id": "z1", "text": text, "lang": "en"})
    z1 = got["z1"]
    assert (z1["band"], z1["detected_lang"], z1["case_opened"]) == (
        "unsupported_language",
        "es",
        False,
    )
    assert 0.0 <= z1["score"] <= 1.0 and z1["claim_matches"] == []
    status = triage_client.get("/v1/posts/z1", headers=auth(new_api_key(triage_rt))).json()
    assert status["band"] == "unsupported_language"
    with triage_rt.sessions() as session:
        post = session.get(Post, "z1")
        score = session.scalars(select(Score).where(Score.post_id == "z1")).one()
        assert post is not None and (post.lang, post.detected_lang) == ("en", "es")
        assert score.triage_band == "unsupported_language" and score.band in {
            "ignore",
            "review",
            "urgent",
        }


def test_with_every_shipped_model_an_everyday_post_scored_false_is_not_queued(
    rt: Runtime,
) -> None:
    """The bug in the issue: the falsehood model calls a bakery's opening hours urgent. With
    the check-worthiness head the post makes no claim and goes nowhere; its falsehood score
    is still returned, unchanged."""
    from classifier.serving.loader import load_classifier
    from runtime.container import load_checkworthiness

    rt.classifier_override = load_classifier()
    library = LibraryMatcher(rt.sessions, default_parts())
    checker = load_checkworthiness(library)
    assert checker is not None, "the shipped check-worthiness head"
    rt.signals_override = IntakeSignals(library, checker)
    with TestClient(create_app(rt)) as client:
        key = new_api_key(rt)
        got = _score(client, key, {"id": "b1", "text": "Our bakery opens at 8am"})["b1"]
        alone = rt.classifier.predict(["Our bakery opens at 8am"])[0]
    assert alone.band.value != "ignore", "the falsehood model alone would queue it"
    assert got["score"] == pytest.approx(alone.score, abs=0.03)
    assert got["checkworthiness"] < RoutingPolicy().checkworthiness_min
    assert (got["band"], got["case_opened"]) == ("ignore", False)
    with rt.sessions() as session:
        score = session.scalars(select(Score).where(Score.post_id == "b1")).one()
        assert (score.band, score.triage_rule) == (alone.band.value, "not_checkworthy")


def test_the_sweeper_does_not_re_enqueue_posts_triage_left_unqueued(
    triage_rt: Runtime, triage_client: TestClient
) -> None:
    """Unsupported-language and not-check-worthy posts have no case by design: the sweeper
    (which re-enqueues routed posts that lost their message) must not loop on them."""
    from pipeline.tasks import sweep

    key = new_api_key(triage_rt)
    text = (
        "¡¡¡INCREÍBLE!!! las vacunas contienen microchips, MIRACLE CURE, compártelo ya, "
        "la verdad está oculta, el gobierno no quiere que lo sepas"
    )
    assert _score(triage_client, key, {"id": "s1", "text": text})["s1"]["case_opened"] is False
    with triage_rt.sessions() as session:
        score = session.scalars(select(Score).where(Score.post_id == "s1")).one()
        assert score.band == "urgent", "the falsehood model alone would have routed it"
        assert score.triage_band == "unsupported_language"
    assert sweep(triage_rt, older_than=timedelta(seconds=-60))["posts"] == 0


def test_a_drill_post_is_matched_but_never_linked_to_a_real_claim(triage_rt: Runtime) -> None:
    from pipeline.intake import score_posts
    from pipeline.schemas import PostIn

    with transaction(triage_rt.sessions) as session:
        (got,) = score_posts(
            session,
            triage_rt.classifier,
            [PostIn(id="d1", text=REPEAT)],
            ADMIN,
            is_drill=True,
            signals=triage_rt.signals_override,
        )
    assert got.claim_matches[0].claim_id == FIVE_G and got.band == "urgent"
    with triage_rt.sessions() as session:
        assert session.scalars(select(ClaimPost).where(ClaimPost.post_id == "d1")).first() is None


def test_intake_signals_are_off_with_the_reference_scorer_unless_the_settings_say(
    sqlite_url: str,
) -> None:
    from runtime.container import build_runtime
    from tests.conftest import make_settings

    assert build_runtime(make_settings(sqlite_url)).intake_signals is None
    on = build_runtime(make_settings(sqlite_url, intake_signals=True))
    assert isinstance(on.intake_signals, IntakeSignals)
