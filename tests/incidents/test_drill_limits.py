"""`/v1/drills/score` is held to the same per-key rate limit and the same admission control
as `/v1/score`: a drill cannot crowd out the platform's scoring."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accounts.service import create_api_key
from core.db import transaction
from core.migrate import upgrade
from core.settings import Settings
from pipeline.models import Post
from runtime.container import build_runtime
from runtime.web import create_app
from tests.api.test_batcher import RecordingClassifier
from tests.conftest import ADMIN, auth, make_settings, new_api_key, redis_limited_runtime


def _body(post_id: str) -> dict[str, list[dict[str, str]]]:
    return {"posts": [{"id": post_id, "text": "drill post"}]}


@pytest.mark.services
def test_drill_scoring_over_the_keys_limit_is_429(redis_url: str, tmp_path: Path) -> None:
    rt = redis_limited_runtime(tmp_path, redis_url)
    with transaction(rt.sessions) as s:
        key = create_api_key(s, "drill-tight", ["drill"], ADMIN, rate_limit_per_minute=3).secret
    with TestClient(create_app(rt)) as client:
        codes = [
            client.post("/v1/drills/score", json=_body(f"d{i}"), headers=auth(key)).status_code
            for i in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        refused = client.post("/v1/drills/score", json=_body("d9"), headers=auth(key))
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
    with rt.sessions() as session:
        assert session.get(Post, "d3") is None and session.get(Post, "d0") is not None
    rt.engine.dispose()


def test_drill_scoring_waits_its_turn_behind_the_in_flight_limit(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {"API__MAX_IN_FLIGHT": "1", "API__ADMISSION_WAIT_SECONDS": "0"}.items():
        monkeypatch.setenv(name, value)
    upgrade(sqlite_url)
    model = RecordingClassifier()
    rt = build_runtime(make_settings(sqlite_url, api=Settings().api), classifier=model)
    platform, drill = new_api_key(rt), new_api_key(rt, ("drill",))
    with TestClient(create_app(rt)) as client, ThreadPoolExecutor(1) as pool:
        model.gate.clear()
        held = pool.submit(client.post, "/v1/score", json=_body("real-1"), headers=auth(platform))
        assert model.entered.wait(5)
        refused = client.post("/v1/drills/score", json=_body("drill-1"), headers=auth(drill))
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"]["code"] == "overloaded"
        assert refused.headers["retry-after"] == "1"
        model.gate.set()
        assert held.result(10).status_code == 200
        served = client.post("/v1/drills/score", json=_body("drill-2"), headers=auth(drill))
        assert served.status_code == 200
    with rt.sessions() as session:
        drilled = session.get(Post, "drill-2")
        assert drilled is not None and drilled.is_drill
    rt.engine.dispose()
