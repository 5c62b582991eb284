"""Concurrent calls are coalesced into model batches; a full queue or too many requests in
flight refuse at once (503); the limits are settings."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.batcher import DynamicBatcher, Overloaded
from classifier.interface import Prediction
from classifier.reference import ReferenceClassifier
from classifier.thresholds import Thresholds
from core.migrate import upgrade
from core.settings import Settings
from pipeline.models import Post
from runtime.container import Runtime, build_runtime
from runtime.web import create_app
from tests.conftest import BACKENDS, auth, make_settings, new_api_key
from tests.core.backends import database_url


class RecordingClassifier:
    """The reference scorer, remembering the size of every batch and optionally held back."""

    def __init__(self) -> None:
        self.inner = ReferenceClassifier()
        self.batches: list[int] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()  # set once the model is working on a batch

    @property
    def model_version(self) -> str:
        return self.inner.model_version

    @property
    def thresholds(self) -> Thresholds:
        return self.inner.thresholds

    def predict(self, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        self.entered.set()
        self.gate.wait(5)
        self.batches.append(len(texts))
        return self.inner.predict(texts, explain=explain)


def test_concurrent_calls_share_batches_and_get_their_own_answers() -> None:
    model = RecordingClassifier()
    batcher = DynamicBatcher(model, max_batch=32, max_wait_seconds=0.05)
    texts = [f"miracle cure number {i}" if i % 2 else f"ministry data {i}" for i in range(24)]
    with ThreadPoolExecutor(24) as pool:
        got = list(pool.map(lambda t: batcher.predict([t], explain=True)[0], texts))
    batcher.stop()
    expected = ReferenceClassifier().predict(texts, explain=True)
    assert [g.score for g in got] == [e.score for e in expected]
    assert sum(model.batches) == 24 and len(model.batches) < 24
    assert max(model.batches) > 1


def test_a_large_request_is_split_into_model_sized_batches() -> None:
    model = RecordingClassifier()
    batcher = DynamicBatcher(model, max_batch=8, max_wait_seconds=0.0)
    out = batcher.predict([f"text {i}" for i in range(20)])
    batcher.stop()
    assert len(out) == 20 and model.batches == [8, 8, 4]


def test_full_queue_refuses_instead_of_waiting() -> None:
    model = RecordingClassifier()
    model.gate.clear()  # the model is busy
    batcher = DynamicBatcher(model, max_batch=4, max_wait_seconds=0.0, max_queued_texts=4)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(batcher.predict, ["a", "b", "c", "d"])
        assert model.entered.wait(5)  # taken by the worker, now blocked
        second = pool.submit(batcher.predict, ["e", "f", "g", "h"])
        threading.Event().wait(0.05)
        with pytest.raises(Overloaded):
            batcher.predict(["one too many"])
        model.gate.set()
        assert len(first.result(5)) == 4 and len(second.result(5)) == 4
    batcher.stop()


class FailingOn(RecordingClassifier):
    """Fails any call that includes `bad`, as a model does on a text it cannot read."""

    def __init__(self, bad: str) -> None:
        super().__init__()
        self.bad = bad

    def predict(self, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        if self.bad in texts:
            raise ValueError(f"cannot score {self.bad!r}")
        return super().predict(texts, explain=explain)


def test_one_requests_failure_fails_only_that_request_not_the_others_in_its_batch() -> None:
    model = FailingOn("unreadable")
    batcher = DynamicBatcher(model, max_batch=32, max_wait_seconds=0.0)
    model.gate.clear()  # the model is busy with a first request while three more queue
    busy = batcher.submit(["first"])
    assert model.entered.wait(5)
    good, bad, more = (batcher.submit(t) for t in (["a"], ["unreadable"], ["b", "c"]))
    model.gate.set()  # the three now run as one micro-batch
    assert len(busy.result(5)) == 1
    with pytest.raises(ValueError, match="cannot score 'unreadable'"):
        bad.result(5)
    assert [p.score for p in good.result(5) + more.result(5)] == [
        p.score for p in ReferenceClassifier().predict(["a", "b", "c"])
    ]
    batcher.stop()


@pytest.fixture(params=BACKENDS)
def failing_rt(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Runtime, FailingOn]]:
    """A runtime on each database whose model fails any call that includes the text "boom"."""
    model = FailingOn("boom")
    rt = build_runtime(make_settings(database_url(request, tmp_path)), classifier=model)
    yield rt, model
    rt.engine.dispose()


def _stored_posts(rt: Runtime) -> set[str]:
    with rt.sessions() as session:
        return set(session.scalars(select(Post.id)))


def test_a_request_the_model_fails_on_fails_alone_not_the_requests_batched_with_it(
    failing_rt: tuple[Runtime, FailingOn],
) -> None:
    rt, model = failing_rt
    with (
        TestClient(create_app(rt), raise_server_exceptions=False) as client,
        ThreadPoolExecutor(14) as pool,
    ):
        key, batcher = auth(new_api_key(rt)), client.app.state.serving.batcher  # type: ignore[attr-defined]

        def send(post_id: str, text: str) -> Any:
            body = {"posts": [{"id": post_id, "text": text}]}
            return client.post("/v1/score", json=body, headers=key)

        model.gate.clear()  # a first request holds the model while 13 more queue behind it
        first = pool.submit(send, "first", "ministry data")
        assert model.entered.wait(5)
        normal = [pool.submit(send, f"n{i}", f"ministry data {i}") for i in range(12)]
        failing = pool.submit(send, "bad", "boom")
        deadline = time.monotonic() + 10
        while batcher.queued_texts < 13 and time.monotonic() < deadline:
            threading.Event().wait(0.005)
        model.gate.set()  # the 13 run as one micro-batch, which the model fails
        assert [r.result().status_code for r in [first, *normal]] == [200] * 13
        resp = failing.result()
    assert resp.status_code == 500 and resp.json()["error"]["code"] == "internal"
    assert _stored_posts(rt) == {"first"} | {f"n{i}" for i in range(12)}


def test_overloaded_server_answers_503_with_retry_after(
    client: TestClient, platform_key: str
) -> None:
    client.app.state.serving.batcher.max_queued = 0  # type: ignore[attr-defined]
    resp = client.post(
        "/v1/score", json={"posts": [{"id": "o1", "text": "hi"}]}, headers=auth(platform_key)
    )
    assert resp.status_code == 503
    assert resp.json()["error"]["code"] == "overloaded" and resp.headers["retry-after"] == "1"


class SlowClassifier(RecordingClassifier):
    def predict(self, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        threading.Event().wait(0.02 * len(texts))
        return super().predict(texts, explain=explain)


def test_queue_is_also_bounded_by_the_time_it_will_take() -> None:
    model = SlowClassifier()
    batcher = DynamicBatcher(model, max_batch=4, max_wait_seconds=0.0, max_queue_seconds=0.09)
    batcher.predict(["measure me"])  # learns about 20 ms per text
    model.gate.clear()
    model.entered.clear()
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(batcher.predict, ["a", "b", "c", "d"])
        assert model.entered.wait(5)
        second = pool.submit(batcher.predict, ["e", "f", "g", "h"])
        while not batcher.queued_texts:
            threading.Event().wait(0.005)
        with pytest.raises(Overloaded, match="behind"):
            batcher.predict(["would wait too long"])
        model.gate.set()
        assert len(first.result(5)) == 4 and len(second.result(5)) == 4
    batcher.stop()


def test_serving_limits_come_from_the_environment_and_admission_refuses_beyond_them(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:

    for name, value in {
        "API__MODEL_BATCH": "5",
        "API__BATCH_WAIT_MS": "20",
        "API__MAX_IN_FLIGHT": "1",
        "API__ADMISSION_WAIT_SECONDS": "0",
    }.items():
        monkeypatch.setenv(name, value)
    upgrade(sqlite_url)
    model = RecordingClassifier()
    rt = build_runtime(make_settings(sqlite_url, api=Settings().api), classifier=model)
    with TestClient(create_app(rt)) as client, ThreadPoolExecutor(1) as pool:
        serving = client.app.state.serving  # type: ignore[attr-defined]
        assert (serving.batcher.max_batch, serving.batcher.max_wait) == (5, 0.02)
        key = new_api_key(rt)
        model.gate.clear()
        held = pool.submit(
            client.post,
            "/v1/score",
            json={"posts": [{"id": "a1", "text": "first"}]},
            headers=auth(key),
        )
        assert model.entered.wait(5)
        refused = client.post(
            "/v1/score", json={"posts": [{"id": "a2", "text": "second"}]}, headers=auth(key)
        )
        assert refused.status_code == 503, refused.text
        assert "in flight" in refused.json()["error"]["message"]
        model.gate.set()
        assert held.result(10).status_code == 200
    rt.engine.dispose()
