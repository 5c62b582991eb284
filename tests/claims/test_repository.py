"""claims.repository: what the claim page counts, the library listing's filters, the live
claims the matcher fits on, and the links between posts and claims."""

from __future__ import annotations

from datetime import timedelta

from claims.models import Claim
from claims.repository import (
    ClaimFilter,
    claim_count,
    claims_by_id,
    claims_newest_first,
    linked_post_count,
    linked_post_ids,
    links_of_post,
    live_claims_by_id,
    live_library_version,
    newest_claim_of_post,
    post_ids_of_claim,
    present_claim_ids,
)
from core.clock import utcnow
from core.db import transaction
from pipeline.claim_links import link_post
from runtime.container import Runtime
from tests.statements.helpers import SYSTEM, load_fixture_claims, post_linked_to


def test_linked_posts_are_counted_per_claim(rt: Runtime) -> None:
    first, second = load_fixture_claims(rt)[:2]
    post_linked_to(rt, first.id)
    post_linked_to(rt, first.id, text="another post repeating it")
    with rt.sessions() as session:
        assert linked_post_count(session, first.id) == 2
        assert linked_post_count(session, second.id) == 0
        assert linked_post_count(session, "no-such-claim") == 0


def _claim(
    cid: str,
    text: str,
    *,
    verdict: str = "false",
    origin: str = "manual",
    age_hours: int = 0,
    retired: bool = False,
    explanation: str = "",
) -> Claim:
    now = utcnow()
    return Claim(
        id=cid,
        text=text,
        verdict=verdict,
        origin=origin,
        explanation=explanation,
        created_at=now - timedelta(hours=age_hours),
        retired_at=now if retired else None,
    )


def _library(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        session.add_all(
            [
                _claim("c1", "5G spreads the virus", age_hours=3),
                _claim("c2", "Vaccines hold chips", verdict="misleading", age_hours=2),
                _claim("c3", "Old rumour", origin="import", age_hours=1, retired=True),
                _claim("c4", "Water cures it", verdict="true", explanation="about 5g too"),
            ]
        )


def test_listing_filters_orders_pages_and_counts(rt: Runtime) -> None:
    _library(rt)
    with rt.sessions() as s:

        def ids(where: ClaimFilter, limit: int = 10, offset: int = 0) -> list[str]:
            return [c.id for c in claims_newest_first(s, where, limit=limit, offset=offset)]

        assert ids(ClaimFilter()) == ["c4", "c3", "c2", "c1"]
        assert ids(ClaimFilter(), limit=2, offset=1) == ["c3", "c2"]
        assert ids(ClaimFilter(query="5G")) == ["c4", "c1"]  # text or explanation, any case
        assert ids(ClaimFilter(verdict="misleading")) == ["c2"]
        assert ids(ClaimFilter(origin="import")) == ["c3"]
        assert ids(ClaimFilter(retired=True)) == ["c3"]
        assert ids(ClaimFilter(retired=False)) == ["c4", "c2", "c1"]
        assert claim_count(s, ClaimFilter()) == 4
        assert claim_count(s, ClaimFilter(query="5g", verdict="false")) == 1
        assert sorted(present_claim_ids(s, ["c1", "c3", "zz"])) == ["c1", "c3"]


def test_live_claims_and_the_library_version_leave_retired_ones_out(rt: Runtime) -> None:
    with rt.sessions() as s:
        assert live_library_version(s) == (0, None, None)
    _library(rt)
    with rt.sessions() as s:
        assert [c.id for c in live_claims_by_id(s)] == ["c1", "c2", "c4"]
        assert [c.id for c in live_claims_by_id(s, ["false", "misleading"])] == ["c1", "c2"]
        count, added, edited = live_library_version(s)
        newest = s.get(Claim, "c4")
        assert newest is not None
        assert (count, added, edited) == (3, newest.created_at, None)


def test_links_between_posts_and_claims(rt: Runtime) -> None:
    first, second = load_fixture_claims(rt)[:2]
    p1 = post_linked_to(rt, first.id)
    p2 = post_linked_to(rt, first.id, text="another post repeating it")
    with transaction(rt.sessions) as session:
        link_post(session, second.id, p1, SYSTEM, similarity=0.8)  # p1's newest link
    with rt.sessions() as s:
        assert post_ids_of_claim(s, first.id) == [p1, p2]
        assert post_ids_of_claim(s, "no-such-claim") == []
        newest = newest_claim_of_post(s, p1)
        assert newest is not None and newest.id == second.id
        assert newest_claim_of_post(s, "no-such-post") is None
        assert sorted(link.claim_id for link in links_of_post(s, p1)) == sorted(
            [first.id, second.id]
        )
        assert sorted(c.id for c in claims_by_id(s, [second.id, "nope"])) == [second.id]
        assert sorted(s.scalars(linked_post_ids([second.id]))) == [p1]
