"""`call_plan`: a dynamically quantized graph is called one text per call, so a post's score does
not depend on what arrived with it; the shipped falsehood model and Chinese encoder checked."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from classifier.serving.call_plan import CallPlan, dynamically_quantized
from classifier.serving.loader import MODEL_FILE, artifact, find_model_dir
from classifier.serving.onnx_classifier import OnnxClassifier
from classifier.serving.threads import THREADS_ENV
from classifier.zh.encoder import ENCODER_FILE as ZH_ENCODER_FILE
from classifier.zh.encoder import ZhEncoder

MODELS = Path(__file__).resolve().parents[2] / "models"
POSTS = [
    "5G towers spread the virus, this hoax is 100% exposed, share before they delete it",
    "Our bakery opens at 8am",
    "The WHO confirmed 1,200 new cases today across 14 countries, according to its daily "
    "situation report, with most of them in Europe and the Americas " * 4,
    "ok",
    "Drinking bleach is the secret cure, doctors are hiding it",
    "Vaccines went through all three trial phases before approval",
]


@pytest.fixture
def falsehood_dir() -> Path:
    found = find_model_dir()
    if found is None:
        pytest.skip("no falsehood model shipped")
    return found


def test_the_shipped_graphs_quantize_at_run_time(falsehood_dir: Path) -> None:
    assert dynamically_quantized(artifact(falsehood_dir, MODEL_FILE))
    plan = CallPlan(artifact(falsehood_dir, MODEL_FILE), batch_size=8, threads=2)
    assert (plan.per_text, plan.batch_size, plan.session_threads) == (True, 1, 1)


@pytest.mark.parametrize("threads", ["1", "2"])
def test_a_post_scores_the_same_alone_and_among_others(
    falsehood_dir: Path, threads: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(THREADS_ENV, threads)
    model = OnnxClassifier(falsehood_dir)
    ids = model.encode(POSTS)
    together = model.probabilities(ids)[0]
    alone = np.array([model.probabilities([one])[0][0] for one in ids])
    np.testing.assert_array_equal(together, alone)
    assert [p.score for p in model.predict(POSTS)] == [
        model.predict([post])[0].score for post in POSTS
    ]


def test_a_chinese_post_embeds_the_same_alone_and_among_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shipped = sorted(MODELS.glob("bge-small-zh-*"))
    if not shipped or not (shipped[-1] / ZH_ENCODER_FILE).is_file():
        pytest.skip("no Chinese encoder shipped")
    monkeypatch.setenv(THREADS_ENV, "2")
    encoder = ZhEncoder(shipped[-1], batch_size=16)
    texts = ["5G基站传播新冠病毒", "今天天气真好", "喝漂白剂可以治愈新冠肺炎，医生都在隐瞒" * 5]
    together = encoder.embed(texts)
    np.testing.assert_array_equal(together, np.stack([encoder.embed([t])[0] for t in texts]))


def test_map_keeps_the_order_and_runs_calls_side_by_side(falsehood_dir: Path) -> None:
    plan = CallPlan(artifact(falsehood_dir, MODEL_FILE), batch_size=8, threads=2)
    running, most = 0, 0
    lock = threading.Lock()

    def call(i: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)  # long enough for the second worker to start
        with lock:
            running -= 1
        return i * i

    assert list(plan.map(call, range(8))) == [i * i for i in range(8)]
    assert most == 2


_FORKED: list[CallPlan] = []  # the plan a forked child inherits (a plan is not picklable)


def _squares_in_a_forked_child() -> list[int]:
    return list(_FORKED[0].map(lambda i: i * i, range(6)))


def test_a_forked_child_gets_its_own_pool(falsehood_dir: Path) -> None:
    import multiprocessing

    plan = CallPlan(artifact(falsehood_dir, MODEL_FILE), batch_size=8, threads=2)
    assert list(plan.map(lambda i: i + 1, range(4))) == [1, 2, 3, 4]  # the parent's pool exists
    _FORKED[:] = [plan]
    try:
        with multiprocessing.get_context("fork").Pool(1) as children:
            result = children.apply_async(_squares_in_a_forked_child)
            assert result.get(timeout=30) == [0, 1, 4, 9, 16, 25]
    finally:
        _FORKED.clear()
