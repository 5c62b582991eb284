"""Many reviewers claiming at once against PostgreSQL: no case is ever handed out twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from classifier.reference import ReferenceClassifier
from core.db import transaction
from pipeline.queue import claim_next
from runtime.container import build_runtime
from tests.conftest import make_settings
from tests.pipeline.factories import make_case, reviewer

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
