"""A synthetic wave mixed into background posts: the incident opens once, grades, groups."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from audit.events import Action
from audit.models import AuditEvent
from core.db import transaction
from incidents.detection import ClaimHit, scan
from incidents.models import Incident, NarrativePost
from incidents.severity import IncidentPolicy, Signals, grade
from runtime.container import Runtime
from tests.incidents.factories import add_wave

POLICY = IncidentPolicy(min_posts=10)


def _scan_all(rt: Runtime) -> None:
    while True:
        with transaction(rt.sessions) as session:
            if scan(session, policy=POLICY, limit=50) == 0:
                return


def test_wave_in_background_opens_one_incident_grouping_its_posts(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        wave, _background = add_wave(session, wave=30, background=60)
    _scan_all(rt)
    _scan_all(rt)  # a repeated scan changes nothing
    with rt.sessions() as session:
        incidents = session.scalars(select(Incident)).all()
        assert len(incidents) == 1
        incident = incidents[0]
        linked = set(
            session.scalars(
                select(NarrativePost.post_id).where(NarrativePost.incident_id == incident.id)
            )
        )
        opened = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == Action.INCIDENT_OPENED)
        )
    assert opened == 1
    assert linked == set(wave)  # every wave post, no background post
    assert incident.post_count == 30
    assert incident.topic == "health"
    assert set(incident.regions) == {"en", "de", "fr", "es"}
    # 30 posts x (5000 views + 5 x 100 shares) = 165k reach: 2 reach + 3 velocity (165k in
    # the first hour) + 3 health + 2 spread (4 regions) = 10 points -> grade I.
    assert incident.reach == 165_000
    assert incident.grade == 1


@pytest.mark.parametrize(
    ("sent", "regions", "grade"),
    [
        # 2 reach + 3 velocity + 3 health = 8 points; 5 regions add 2 spread points -> grade I.
        (("DE", "FR", "US-CA", "GB"), ["DE", "FR", "GB", "US-CA", "en"], 1),
        ((), ["en"], 2),  # no region sent: the one language is one region, no spread
    ],
)
def test_the_regions_platforms_send_count_for_spread_and_language_stands_in_otherwise(
    rt: Runtime, sent: tuple[str, ...], regions: list[str], grade: int
) -> None:
    from pipeline.models import Post

    with transaction(rt.sessions) as session:
        wave, _ = add_wave(session, wave=30, background=10, regions=("en",))
        for i, post_id in enumerate(wave[:20] if sent else []):  # the other 10 count as "en"
            post = session.get(Post, post_id)
            assert post is not None
            post.region = sent[i % len(sent)]
    _scan_all(rt)
    with rt.sessions() as session:
        incident = session.scalars(select(Incident)).one()
    assert (incident.regions, incident.grade) == (regions, grade)


def test_background_alone_opens_nothing(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        add_wave(session, wave=0, background=80)
    _scan_all(rt)
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0


def test_incident_is_regraded_upwards_as_it_grows(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        add_wave(session, wave=10, background=5, views=300, regions=("en",))
    _scan_all(rt)
    with rt.sessions() as session:
        first = session.scalars(select(Incident)).one().grade
    with transaction(rt.sessions) as session:
        from tests.incidents.factories import WAVE_TEMPLATES, add_post

        for i in range(40):
            add_post(
                session,
                f"late{i}",
                WAVE_TEMPLATES[i % 3].format(n=1000 + i),
                views=20_000,
                shares=2_000,
                lang=("en", "de", "fr", "it", "pl")[i % 5],
            )
    _scan_all(rt)
    with rt.sessions() as session:
        incident = session.scalars(select(Incident)).one()
        grades = session.scalars(
            select(AuditEvent.document).where(AuditEvent.action == Action.INCIDENT_GRADED)
        ).all()
    assert first == 3  # 3.3k reach, 3.3k/h, health, one region: 0 + 1 + 3 + 0 = 4 -> III
    assert incident.grade == 1
    steps = [doc["veracity"]["after"]["grade"] for doc in grades]  # type: ignore[index]
    assert steps[0] == 3 and steps[-1] == 1
    assert steps == sorted(steps, reverse=True) and len(set(steps)) == len(steps)


def test_the_claim_lookup_reads_a_post_with_its_authors_name_in_front(rt: Runtime) -> None:
    from collections.abc import Sequence

    from tests.incidents.factories import add_post

    seen: list[str] = []

    def recording_lookup(texts: Sequence[str]) -> list[ClaimHit | None]:
        seen.extend(texts)
        return [None] * len(texts)

    with transaction(rt.sessions) as session:
        add_post(session, "named", "I never endorsed him.").author_name = "Jill  Stein"
        add_post(session, "anonymous", "The moon is made of cheese.")
    with transaction(rt.sessions) as session:
        scan(session, recording_lookup, policy=POLICY)
    assert sorted(seen) == ["Jill Stein: I never endorsed him.", "The moon is made of cheese."]


def test_grade_formula_boundaries() -> None:
    policy = IncidentPolicy()
    assert grade(Signals(0, 0, "general", 1), policy) == 4
    assert grade(Signals(10_000, 1_000, "finance", 1), policy) == 3  # 1 + 1 + 2 = 4
    assert grade(Signals(100_000, 10_000, "health", 1), policy) == 2  # 2 + 2 + 3 = 7
    assert grade(Signals(1_000_000, 100_000, "elections", 4), policy) == 1  # 3 + 3 + 3 + 2


def test_posts_confirmed_against_a_library_claim_join_the_claims_narrative(rt: Runtime) -> None:
    from claims.matching.model import default_parts
    from claims.models import Claim
    from incidents.detection import library_lookup
    from tests.incidents.factories import WAVE_CLAIM

    with transaction(rt.sessions) as session:
        session.add(Claim(id="c-chip", text=WAVE_CLAIM, verdict="false", origin="fixture"))
        session.add(
            Claim(
                id="c-moon", text="The moon landing was staged", verdict="false", origin="fixture"
            )
        )
        wave, _ = add_wave(session, wave=12, background=20)
    with transaction(rt.sessions) as session:
        lookup = library_lookup(session, default_parts())
        assert lookup is not None
        scan(session, lookup, policy=POLICY)
    with rt.sessions() as session:
        incident = session.scalars(select(Incident)).one()
        linked = set(
            session.scalars(
                select(NarrativePost.post_id).where(NarrativePost.incident_id == incident.id)
            )
        )
    assert (incident.key, incident.claim_id) == ("claim:c-chip", "c-chip")
    assert linked == set(wave)


def test_cases_of_incident_posts_are_tagged_so_reviewers_can_filter_by_incident(
    rt: Runtime,
) -> None:
    from pipeline.models import Post, ReviewCase
    from pipeline.queue import QueueFilter, claim_next, open_case_for_post
    from pipeline.routing import RoutingPolicy
    from pipeline.tasks import route_post
    from tests.pipeline.factories import add_score, reviewer

    with transaction(rt.sessions) as session:
        wave, background = add_wave(session, wave=12, background=10)
        for post_id in (wave[0], wave[1], background[0]):
            add_score(session, session.get_one(Post, post_id), score=0.7)  # band review
        # one wave post routed before the scan, one after it; a background post too
        assert open_case_for_post(session, wave[0], RoutingPolicy()) is not None
        assert open_case_for_post(session, background[0], RoutingPolicy()) is not None
    _scan_all(rt)
    route_post(rt, wave[1])
    with transaction(rt.sessions) as session:
        incident = session.scalars(select(Incident)).one()
        tagged = dict(session.execute(select(ReviewCase.post_id, ReviewCase.incident_id)).all())
        assert tagged[wave[0]] == incident.id
        assert tagged[wave[1]] == incident.id
        assert tagged[background[0]] is None
        for _ in range(2):
            claimed = claim_next(
                session, reviewer("rita"), filters=QueueFilter(incident_id=incident.id)
            )
            assert claimed is not None
            assert claimed.post_id in {wave[0], wave[1]}
        assert (
            claim_next(session, reviewer("rita"), filters=QueueFilter(incident_id=incident.id))
            is None
        )
