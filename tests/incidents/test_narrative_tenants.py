"""A drill is a tenant of its own in narrative keys too: a real post whose text a drill post
already carried is keyed among real posts only (and the other way round), and merging two
narratives moves only that tenant's near-duplicate bands."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.clock import utcnow
from core.db import transaction
from incidents.detection import scan
from incidents.models import NarrativePost, PostShingleBand
from incidents.repository.narratives import rekey
from incidents.severity import IncidentPolicy
from runtime.container import Runtime
from tests.incidents.factories import add_post

POLICY = IncidentPolicy(min_posts=10)
PARK = "Lovely sunny morning at the park with my dog number {n}"


def _scan(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        while scan(session, policy=POLICY) > 0:
            pass


def _keys(rt: Runtime) -> dict[str, str]:
    with rt.sessions() as session:
        return dict(
            session.execute(select(NarrativePost.post_id, NarrativePost.key)).tuples().all()
        )


def _add(rt: Runtime, post_id: str, n: int, is_drill: bool, seconds_ago: int) -> None:
    with transaction(rt.sessions) as session:
        at = utcnow() - timedelta(seconds=seconds_ago)
        add_post(session, post_id, PARK.format(n=n), received_at=at, is_drill=is_drill)


def test_a_real_post_never_takes_a_drill_posts_narrative_key(any_rt: Runtime) -> None:
    for n in range(3):
        _add(any_rt, f"db-{n}", n, is_drill=True, seconds_ago=60 - n)
    _scan(any_rt)
    _add(any_rt, "real-park-0", 0, is_drill=False, seconds_ago=5)
    _add(any_rt, "real-park-1", 0, is_drill=False, seconds_ago=4)
    _scan(any_rt)
    keys = _keys(any_rt)
    assert keys["db-0"] == "dup:db-0"  # the drill's copies are near-duplicates of each other
    assert keys["real-park-0"] == "dup:real-park-0"
    assert keys["real-park-1"] == "dup:real-park-0", "real copies still group among themselves"


def test_a_drill_post_never_takes_a_real_posts_narrative_key(any_rt: Runtime) -> None:
    _add(any_rt, "real-park-0", 0, is_drill=False, seconds_ago=60)
    _scan(any_rt)
    _add(any_rt, "db-0", 0, is_drill=True, seconds_ago=5)
    _scan(any_rt)
    assert _keys(any_rt) == {"real-park-0": "dup:real-park-0", "db-0": "dup:db-0"}


def test_merging_narratives_moves_only_that_tenants_bands(any_rt: Runtime) -> None:
    """Bands of both tenants under one key (written before keys were kept apart): a real merge
    moves the real post's bands and leaves the drill post's where they are."""
    now = utcnow()
    with transaction(any_rt.sessions) as session:
        for post_id, is_drill in (("real-a", False), ("db-a", True)):
            add_post(session, post_id, PARK.format(n=1), is_drill=is_drill)
            session.add(PostShingleBand(post_id=post_id, band="b1", key="dup:x", observed_at=now))
    with transaction(any_rt.sessions) as session:
        rekey(session, "nar:winner", "dup:x", is_drill=False)
    with any_rt.sessions() as session:
        rows = session.execute(select(PostShingleBand.post_id, PostShingleBand.key)).all()
    assert dict(rows) == {"real-a": "nar:winner", "db-a": "dup:x"}
