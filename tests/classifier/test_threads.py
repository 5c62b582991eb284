"""ONNX Runtime thread counts: one model per command gets every core; a serving process
splits the cores between its two concurrent models and its workers."""

from __future__ import annotations

import os

import pytest

from classifier.checkworthiness.encoder import newest_matcher_dir
from classifier.serving.embeddings import ENCODER_FILE, ort_session
from classifier.serving.threads import (
    THREADS_ENV,
    WORKERS_ENV,
    call_workers,
    ort_threads,
    serving_threads,
    size_for_serving,
)

ENCODER = newest_matcher_dir() / ENCODER_FILE


def test_an_explicit_count_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(THREADS_ENV, "3")
    assert ort_threads(5) == 5
    assert ort_threads() == 3


def test_without_a_setting_a_session_gets_every_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(THREADS_ENV, raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert ort_threads() == 6


@pytest.mark.parametrize(
    ("cpus", "processes", "expected"),
    [(2, 1, 1), (16, 1, 8), (16, 2, 4), (16, 3, 2), (2, 4, 1), (1, 1, 1)],
)
def test_serving_splits_the_cores_between_models_and_workers(
    cpus: int, processes: int, expected: int
) -> None:
    assert serving_threads(processes, cpus=cpus) == expected


def test_serving_keeps_an_operators_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(THREADS_ENV, "7")
    assert size_for_serving(processes=1) == 7


def test_serving_names_its_count_for_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(THREADS_ENV, raising=False)
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert size_for_serving(processes=2) == 2
    assert os.environ[THREADS_ENV] == "2"  # what uvicorn's spawned workers inherit
    # one-text-per-call graphs: the process's whole share of the cores, side by side
    assert os.environ[WORKERS_ENV] == "4"
    assert call_workers() == 4


def test_side_by_side_calls_follow_the_thread_count_unless_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    monkeypatch.setenv(THREADS_ENV, "3")
    assert call_workers() == 3
    monkeypatch.setenv(WORKERS_ENV, "5")
    assert (call_workers(), call_workers(2)) == (5, 2)


def test_a_session_is_built_with_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(THREADS_ENV, "1")
    session = ort_session(ENCODER)
    assert session.get_session_options().intra_op_num_threads == 1


def test_serving_holds_numpy_blas_pool_to_the_serving_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads() -> set[int]:
        return {
            int(pool["num_threads"]) for pool in threadpool_info() if pool["user_api"] == "blas"
        }

    before = threadpool_limits(limits=None)  # the current limits, to restore
    try:
        monkeypatch.setenv(THREADS_ENV, "1")
        monkeypatch.delenv(WORKERS_ENV, raising=False)  # undone after the test
        assert size_for_serving(processes=1) == 1
        assert blas_threads() == {1}
    finally:
        before.restore_original_limits()
