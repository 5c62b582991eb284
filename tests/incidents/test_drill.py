"""A drill end to end: real HTTP API, in-process pipeline, detection, simulated reviewers,
a statement, the score and the report; drill data stays marked as drill data."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from audit.models import AuditEvent
from classifier.reference import ReferenceClassifier
from core.dispatch import InProcessDispatcher
from incidents.drill import DrillPost, read_posts
from incidents.severity import IncidentPolicy
from pipeline.models import Post
from runtime.container import Runtime, build_runtime
from runtime.drill_run import run_drill
from runtime.inprocess import start_inprocess_pipeline
from tests.conftest import make_settings
from tests.incidents.factories import VOCAB, WAVE_TEMPLATES

POLICY = IncidentPolicy(min_posts=10)


def drill_posts(n: int, wave_share: float = 0.3) -> list[DrillPost]:
    import random

    rng = random.Random(11)
    posts = []
    for i in range(n):
        wave = rng.random() < wave_share
        text = (
            WAVE_TEMPLATES[i % 3].format(n=i)
            if wave
            else " ".join(rng.choice(VOCAB) for _ in range(12)) + f" {i}"
        )
        extra = {"views": 4000, "shares": 40, "lang": ("en", "de", "fr")[i % 3]} if wave else {}
        posts.append(DrillPost(f"drill-{i}", text, wave, extra))
    return posts


def _check(rt: Runtime, posts: list[DrillPost], rate: float) -> None:
    result, page = run_drill(rt, posts, rate, policy=POLICY, progress=False)
    assert len(result.incidents) == 1
    assert result.recall == 1.0 and result.precision == 1.0
    assert result.grade_reached is not None and result.grade_reached <= 2
    assert result.s_to_statement is not None and result.s_to_detect is not None
    assert "Drill report" in page and "data:image/png;base64," in page
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Post)) == len(posts)
        assert (
            session.scalar(select(func.count()).select_from(Post).where(Post.is_drill.is_(False)))
            == 0
        )
        leaked = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.post_id.is_not(None), AuditEvent.is_drill.is_(False)
            )
        ).all()
    # Every event about a drill post is marked, so drills stay out of metrics and exports.
    assert leaked == [], sorted(set(leaked))


def test_drill_embedded(rt: Runtime, pipeline: InProcessDispatcher) -> None:
    _check(rt, drill_posts(120), rate=400)


@pytest.fixture
def pg_runtime(postgres_url: str) -> Iterator[Runtime]:
    runtime = build_runtime(make_settings(postgres_url), classifier=ReferenceClassifier())
    dispatcher = start_inprocess_pipeline(runtime)
    yield runtime
    dispatcher.drain()
    dispatcher.shutdown()
    runtime.engine.dispose()


@pytest.mark.services
def test_drill_of_200_posts_on_postgresql(pg_runtime: Runtime) -> None:
    _check(pg_runtime, drill_posts(200), rate=1000)


def test_drill_csv_needs_its_columns(tmp_path: Path) -> None:
    good = tmp_path / "posts.csv"
    with good.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "label", "views"])
        writer.writerow(["p1", "hello", "1", "10"])
    assert read_posts(good) == [DrillPost("p1", "hello", True, {"views": 10})]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,body\np1,hello\n")
    from core.errors import Invalid

    with pytest.raises(Invalid, match="label"):
        read_posts(bad)
