"""Narrative grouping: paraphrases of one claim become one incident (they split into 12 with
near-duplicate MinHash alone), and reach alone opens nothing for a post triage ignores."""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import select

from claims.matching.model import default_parts
from core.clock import utcnow
from core.db import transaction
from incidents.detection import scan
from incidents.models import Incident, NarrativePost
from incidents.narratives import Centroids, TextEmbedder
from incidents.severity import IncidentPolicy
from runtime.container import Runtime
from tests.incidents.factories import add_post
from tests.incidents.narrative_posts import CHATTER, NARRATIVE, OTHER
from tests.pipeline.factories import add_score

POLICY = IncidentPolicy(min_posts=20)


@pytest.fixture(scope="module")
def embed() -> TextEmbedder:
    """The claim matcher's shipped encoder (models/claim-matcher-*), as the scan uses it."""
    return default_parts().embedder.embed


def _scan_all(rt: Runtime, embed: TextEmbedder | None, limit: int = 10) -> None:
    while True:
        with transaction(rt.sessions) as session:
            if scan(session, embed=embed, policy=POLICY, limit=limit) == 0:
                return


def _add_mixed(rt: Runtime) -> None:
    """The narrative interleaved with another claim and chatter, one post a second."""
    posts = [("n", t) for t in NARRATIVE] + [("o", t) for t in OTHER] + [("c", t) for t in CHATTER]
    random.Random(5).shuffle(posts)
    start = utcnow() - timedelta(minutes=20)
    with transaction(rt.sessions) as session:
        for i, (kind, text) in enumerate(posts):
            add_post(session, f"{kind}{i}", text, received_at=start + timedelta(seconds=i))


def _incidents(rt: Runtime) -> list[tuple[Incident, set[str]]]:
    with rt.sessions() as session:
        found = []
        for incident in session.scalars(select(Incident)):
            members = session.scalars(
                select(NarrativePost.post_id).where(NarrativePost.incident_id == incident.id)
            )
            found.append((incident, set(members)))
        return found


def test_a_narrative_in_varied_wording_becomes_one_incident(
    rt: Runtime, embed: TextEmbedder
) -> None:
    _add_mixed(rt)
    _scan_all(rt, embed)
    found = _incidents(rt)
    assert len(found) == 1
    incident, members = found[0]
    assert incident.post_count == len(NARRATIVE) == 24
    assert {m[0] for m in members} == {"n"}  # no post of the other claim, no chatter


def test_without_embeddings_the_paraphrases_split_and_open_nothing(rt: Runtime) -> None:
    """The regression: MinHash near-duplicates alone scatter the narrative into many keys."""
    _add_mixed(rt)
    _scan_all(rt, None)
    assert _incidents(rt) == []
    with rt.sessions() as session:
        keys = set(
            session.scalars(select(NarrativePost.key).where(NarrativePost.post_id.like("n%")))
        )
    assert len(keys) > 12


def test_centroids_carry_over_between_scans(rt: Runtime, embed: TextEmbedder) -> None:
    """Each scan batch of 3 posts reloads the open centroids from the database."""
    _add_mixed(rt)
    _scan_all(rt, embed, limit=3)
    assert [len(members) for _, members in _incidents(rt)] == [24]


def _scored(rt: Runtime, post_id: str, text: str, views: int, band: str, score: float) -> None:
    with transaction(rt.sessions) as session:
        post = add_post(session, post_id, text, views=views, shares=0)
        add_score(session, post, score=score, triage_band=band, triage_rule="band")


def test_reach_alone_opens_nothing_for_a_post_triage_ignores(rt: Runtime) -> None:
    _scored(rt, "viral", "Lovely sunset over the lake tonight, what a view", 50_000, "ignore", 0.05)
    _scan_all(rt, None)
    assert _incidents(rt) == []


def test_the_same_reach_opens_an_incident_when_triage_queues_the_post(rt: Runtime) -> None:
    _scored(
        rt, "viral", "5G towers are spreading the coronavirus to everyone", 50_000, "urgent", 0.97
    )
    _scan_all(rt, None)
    [(incident, members)] = _incidents(rt)
    assert members == {"viral"} and incident.reach == 50_000


def test_an_ignored_post_joins_an_incident_already_open_for_its_narrative(rt: Runtime) -> None:
    _scored(
        rt, "first", "5G towers are spreading the coronavirus to everyone", 50_000, "urgent", 0.97
    )
    _scan_all(rt, None)
    _scored(
        rt, "copy", "5G towers are spreading the coronavirus to everyone!!", 50_000, "ignore", 0.1
    )
    _scan_all(rt, None)
    [(incident, members)] = _incidents(rt)
    assert members == {"first", "copy"} and incident.post_count == 2


def test_a_narrative_of_ignored_posts_alone_opens_nothing(rt: Runtime) -> None:
    text = "5G towers are spreading the coronavirus to everyone {n}"
    for n in range(25):  # over min_posts, and 25 x 5k reach
        _scored(rt, f"i{n}", text.format(n=n), 5_000, "ignore", 0.1)
    _scan_all(rt, None)
    assert _incidents(rt) == []


def test_ignored_posts_count_once_a_queued_post_of_their_narrative_arrives(rt: Runtime) -> None:
    text = "5G towers are spreading the coronavirus to everyone {n}"
    for n in range(19):
        _scored(rt, f"i{n}", text.format(n=n), 100, "ignore", 0.1)
    _scan_all(rt, None)
    assert _incidents(rt) == []
    _scored(rt, "queued", text.format(n=19), 100, "review", 0.7)
    _scan_all(rt, None)
    [(incident, members)] = _incidents(rt)
    assert len(members) == 20 and incident.post_count == 20


def _unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    out: np.ndarray = vector / np.linalg.norm(vector)
    return out


def test_centroids_join_the_nearest_above_the_threshold_and_merge_when_they_converge() -> None:
    centroids = Centroids(3)
    assert centroids.assign(_unit(1, 0, 0), "a", threshold=0.9) == "a"
    assert centroids.assign(_unit(0, 1, 0), "b", threshold=0.9) == "b"  # far: a new one
    assert centroids.assign(_unit(0.99, 0.05, 0), "c", threshold=0.9) == "a"
    for n in range(40):  # grows past the first allocation
        centroids.assign(_unit(0, 0, 1), f"z{n}", threshold=0.9)
    assert sorted(centroids.keys) == ["a", "b", "z0"] and centroids.total("z0")[1] == 40
    # posts between a and b pull b's centroid within reach of a's: they merge
    for _ in range(3):
        centroids.add("b", _unit(1, 0.1, 0))
    key, merges = centroids.consolidate("b", lambda k: (False, centroids.total(k)[1]), 0.9)
    assert merges == [("b", "a")] and key == "b"  # b has more members (4 to 2)
    assert sorted(centroids.keys) == ["b", "z0"] and centroids.total("b")[1] == 6
    nearest = centroids.nearest(_unit(0, 0, 1))
    assert nearest is not None and nearest[0] == "z0" and nearest[1] == pytest.approx(1.0)


def test_a_pinned_narrative_is_never_absorbed() -> None:
    centroids = Centroids(2)
    centroids.add("claim:x", _unit(1, 0))
    centroids.add("nar:y", _unit(1, 0.01))
    centroids.add("nar:y", _unit(1, 0.02))
    key, merges = centroids.consolidate(
        "nar:y", lambda k: (k.startswith("claim:"), centroids.total(k)[1]), 0.9
    )
    assert (key, merges) == ("claim:x", [("claim:x", "nar:y")])
