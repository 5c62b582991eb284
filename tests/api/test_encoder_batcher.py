"""The signals' encoder pass at intake goes through a second batcher: concurrent requests share
one call of the real encoder, it runs while the falsehood model scores the same posts, and the
signals it gives are the unbatched path's."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.batcher import EncoderBatcher, Overloaded
from claims.importers import read_source
from claims.library_service import FixedLibrary, LibraryMatcher, bundled_claims
from claims.matching.model import default_parts
from claims.service import import_claims
from classifier.checkworthiness import load_checkworthiness
from classifier.serving.embeddings import Embedder, Vectors
from core.db import transaction
from pipeline.routing import RoutingPolicy
from pipeline.schemas import PostIn
from pipeline.signals import IntakeSignals, PostSignals
from pipeline.triage import match_status
from runtime.container import Runtime
from runtime.web import create_app
from tests.api.test_batcher import RecordingClassifier
from tests.conftest import ADMIN, auth, new_api_key

POSTS = [
    "5G networks are spreading the coronavirus, turn off your phones now!",
    "Drinking bleach cures COVID-19, doctors are hiding it",
    "Our bakery opens at 8am, fresh croissants every morning",
    "Bill Gates put microchips in the vaccine, share before they delete it",
    "The council says the bridge reopens on Monday after repairs",
    "Garlic water cures the virus in 24 hours, the miracle they banned",
]


class CountingEncoder:
    """The shipped matcher's real encoder, remembering each call's texts; optionally held
    back on its first call so that other requests queue behind it."""

    def __init__(self, inner: Embedder, *, hold_first: bool = False) -> None:
        self.inner = inner
        self.calls: list[list[str]] = []
        self.entered = threading.Event()
        self.gate = threading.Event()
        if not hold_first:
            self.gate.set()

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimensions(self) -> int:
        return self.inner.dimensions

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.entered.set()
        self.gate.wait(10)
        self.calls.append(list(texts))
        return self.inner.embed(texts)


@pytest.fixture(scope="module")
def library() -> FixedLibrary:
    return FixedLibrary(default_parts(), bundled_claims())


def _requests() -> list[list[PostIn]]:
    """Six requests of two posts each (one text shared by two requests)."""
    return [
        [PostIn(id=f"q{i}a", text=POSTS[i]), PostIn(id=f"q{i}b", text=POSTS[(i + 1) % 6])]
        for i in range(6)
    ]


def _same(got: list[PostSignals], want: list[PostSignals]) -> None:
    """Equal but for the last float bits (an encoder batch pads to its longest text)."""
    for g, w in zip(got, want, strict=True):
        assert g.lang == w.lang
        assert g.checkworthiness == pytest.approx(w.checkworthiness, abs=1e-5)
        assert [m.claim_id for m in g.matches] == [m.claim_id for m in w.matches]
        assert [m.verdict for m in g.matches] == [m.verdict for m in w.matches]
        for gm, wm in zip(g.matches, w.matches, strict=True):
            assert gm.similarity == pytest.approx(wm.similarity, abs=1e-5)


def test_concurrent_requests_share_one_encoder_call_with_the_unbatched_results(
    library: FixedLibrary,
) -> None:
    checker = load_checkworthiness(embedder=library.embedder)
    unbatched = IntakeSignals(library, checker)
    want = [unbatched.measure(posts) for posts in _requests()]

    counting = CountingEncoder(library.embedder, hold_first=True)
    encoder = EncoderBatcher(counting, max_batch=64, max_wait_seconds=0.0)
    batched = unbatched.with_encoder(encoder)
    requests = _requests()
    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(batched.measure, requests[0])
        assert counting.entered.wait(10)  # the encoder is busy with the first request
        rest = [pool.submit(batched.measure, posts) for posts in requests[1:]]
        while encoder.queued_texts < 10:  # the other five requests' texts are queued
            threading.Event().wait(0.005)
        counting.gate.set()
        got = [first.result(30), *(f.result(30) for f in rest)]
    encoder.stop()

    # the five queued requests went through one call of the real encoder, each text once
    assert len(counting.calls) == 2
    assert sorted(counting.calls[1]) == sorted(set(POSTS))
    for g, w in zip(got, want, strict=True):
        _same(g, w)
    assert any(s.matches for r in got for s in r), "some posts repeat a library claim"


def test_an_encoder_batcher_gives_the_encoders_vectors_in_order(library: FixedLibrary) -> None:
    encoder = EncoderBatcher(library.embedder, max_batch=4, max_wait_seconds=0.0)
    texts = [*POSTS, POSTS[0]]
    got = encoder.embed(texts)  # 7 texts: two model calls of at most four
    encoder.stop()
    want = library.embedder.embed(texts)
    assert got.shape == (7, encoder.dimensions) and got.dtype == np.float32
    assert np.allclose(got, want, atol=1e-5)
    assert encoder.embed([]).shape == (0, encoder.dimensions)


def _serving_rt(rt: Runtime, counting: CountingEncoder) -> Runtime:
    parts = dataclasses.replace(default_parts(), embedder=counting)
    library = LibraryMatcher(rt.sessions, parts)
    rt.signals_override = IntakeSignals(library, load_checkworthiness(embedder=counting))
    with transaction(rt.sessions) as session:
        import_claims(session, read_source("fixture", None), ADMIN, source="fixture")
    return rt


def test_the_encoder_pass_runs_while_the_falsehood_model_scores(rt: Runtime) -> None:
    counting = CountingEncoder(default_parts().embedder)
    model = RecordingClassifier()
    rt.classifier_override = model
    _serving_rt(rt, counting)
    with TestClient(create_app(rt)) as client, ThreadPoolExecutor(1) as pool:
        key = new_api_key(rt)
        counting.gate.clear()  # the encoder pass will be held once it starts
        sent = pool.submit(
            client.post,
            "/v1/score",
            json={"posts": [{"id": "o1", "text": POSTS[0]}]},
            headers=auth(key),
        )
        assert counting.entered.wait(10)
        assert model.entered.wait(5), "the falsehood model waited for the encoder pass"
        counting.gate.set()
        resp = sent.result(30)
    assert [POSTS[0]] in counting.calls
    assert resp.status_code == 200, resp.text
    got = resp.json()["results"][0]
    assert got["claim_matches"] and got["claim_matches"][0]["status"] == "confirmed"
    assert got["checkworthiness"] is not None


def test_concurrent_score_requests_share_encoder_calls(rt: Runtime) -> None:
    counting = CountingEncoder(default_parts().embedder)
    _serving_rt(rt, counting)
    with TestClient(create_app(rt)) as client:
        serving = client.app.state.serving  # type: ignore[attr-defined]
        assert isinstance(serving.encoder, EncoderBatcher)
        serving.encoder.max_wait = 0.2  # a long window, so the requests surely meet
        key = new_api_key(rt)
        client.post("/v1/score", json={"posts": [{"id": "w", "text": "warm"}]}, headers=auth(key))
        before = len(counting.calls)
        bodies = [{"posts": [{"id": f"c{i}", "text": POSTS[i]}]} for i in range(6)]
        with ThreadPoolExecutor(6) as pool:
            got = list(
                pool.map(lambda b: client.post("/v1/score", json=b, headers=auth(key)), bodies)
            )
    assert all(r.status_code == 200 for r in got)
    post_calls = [c for c in counting.calls[before:] if set(c) & set(POSTS)]
    assert sum(len(c) for c in post_calls) == 6 and len(post_calls) < 6
    alone = IntakeSignals(LibraryMatcher(rt.sessions, default_parts()), None).measure(
        [PostIn(id=f"c{i}", text=POSTS[i]) for i in range(6)]
    )
    policy = RoutingPolicy()
    for resp, want in zip(got, alone, strict=True):
        shown = [m["claim_id"] for m in resp.json()["results"][0]["claim_matches"]]
        assert shown == [m.claim_id for m in want.matches if match_status(m.similarity, policy)]
    assert any(r.json()["results"][0]["claim_matches"] for r in got)


def test_a_full_encoder_queue_answers_503(rt: Runtime) -> None:
    _serving_rt(rt, CountingEncoder(default_parts().embedder))
    with TestClient(create_app(rt)) as client:
        client.app.state.serving.encoder.max_queued = 0  # type: ignore[attr-defined]
        resp = client.post(
            "/v1/score",
            json={"posts": [{"id": "f1", "text": POSTS[0]}]},
            headers=auth(new_api_key(rt)),
        )
    assert resp.status_code == 503
    assert resp.json()["error"]["code"] == "overloaded"
    with pytest.raises(Overloaded):
        EncoderBatcher(CountingEncoder(default_parts().embedder), max_queued_texts=0).submit(["x"])
