"""Concurrency against PostgreSQL: no case is handed out twice, no post gets two cases."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier, Event

import pytest
from sqlalchemy import select

from classifier.reference import ReferenceClassifier
from core.db import transaction
from pipeline.models import ReviewCase
from pipeline.queue import claim_next, open_case_for_post
from pipeline.routing import RoutingPolicy
from pipeline.tasks import route_post
from runtime.container import build_runtime
from tests.conftest import make_settings
from tests.pipeline.factories import add_scored_post, make_case, reviewer

pytestmark = pytest.mark.services
THREADS = 12
CASES = 60


def test_concurrent_claims_never_hand_out_a_case_twice(postgres_url: str) -> None:
    rt = build_runtime(make_settings(postgres_url), classifier=ReferenceClassifier())
    try:
        created = {make_case(rt.sessions, score=0.5 + i / 200) for i in range(CASES)}
        start = Barrier(THREADS)

        def drain(n: int) -> list[str]:
            me = reviewer(f"r{n}")
            got: list[str] = []
            start.wait()
            while True:
                with transaction(rt.sessions) as s:
                    case = claim_next(s, me)
                    if case is None:
                        return got
                    got.append(case.id)

        with ThreadPoolExecutor(THREADS) as pool:
            claimed = [c for batch in pool.map(drain, range(THREADS)) for c in batch]
    finally:
        rt.engine.dispose()
    assert len(claimed) == len(set(claimed)) == CASES
    assert set(claimed) == created


def test_a_post_routed_twice_at_once_gets_one_case(postgres_url: str) -> None:
    """The sweeper re-sends a slow route task; two workers then route one post together."""
    rt = build_runtime(make_settings(postgres_url), classifier=ReferenceClassifier())
    try:
        with transaction(rt.sessions) as s:
            post_id = add_scored_post(s, score=0.9).id
        first_open = Event()

        def second_worker() -> str | None:
            first_open.wait()
            return route_post(rt, post_id)

        with ThreadPoolExecutor(1) as pool:
            late = pool.submit(second_worker)
            with transaction(rt.sessions) as s:
                first = open_case_for_post(s, post_id, RoutingPolicy())
                assert first is not None
                first_id = first.id
                first_open.set()
                # The second worker now runs while the first has not committed yet.
                time.sleep(0.5)
            second_id = late.result(timeout=30)
        with rt.sessions() as s:
            cases = list(s.scalars(select(ReviewCase.id).where(ReviewCase.post_id == post_id)))
    finally:
        rt.engine.dispose()
    assert cases == [first_id]
    assert second_id == first_id
