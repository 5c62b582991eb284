"""How many intra-op threads an ONNX Runtime session gets.

A command that runs one model (scoring a file, evaluation) gives it every core. A serving
process runs two models at once, each on its own batcher thread (the falsehood classifier and
the claim matcher's encoder, `api.batcher`), in each of its uvicorn workers: sessions sized for
every core there fight over the same cores. On the 2-core machine, one thread per session
instead of two took intake with triage signals at 100 posts/s from p95 3.3-4.6 s to
0.7-0.9 s (bench/pipeline.py --signals on), at +0.015 s p50 at 20 posts/s.
"""

from __future__ import annotations

import os
from typing import Any

THREADS_ENV = "VERACITY_ORT_THREADS"
WORKERS_ENV = "VERACITY_ORT_WORKERS"
SERVING_MODELS = 2  # the models a serving process runs concurrently (api.batcher)


def ort_threads(requested: int | None = None) -> int:
    """`requested`, else `VERACITY_ORT_THREADS`, else every core."""
    if requested:
        return requested
    return int(os.environ.get(THREADS_ENV, "0") or 0) or (os.cpu_count() or 1)


def call_workers(requested: int | None = None) -> int:
    """Side-by-side calls for a graph scored one text per call (`call_plan`): `requested`, else
    `VERACITY_ORT_WORKERS`, else `ort_threads()`."""
    if requested:
        return requested
    return int(os.environ.get(WORKERS_ENV, "0") or 0) or ort_threads()


def session_options(threads: int | None = None) -> Any:
    """ONNX Runtime options every model here uses: `ort_threads(threads)` intra-op threads,
    one inter-op thread, every graph optimisation."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = ort_threads(threads)
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return opts


def serving_threads(processes: int, cpus: int | None = None, models: int = SERVING_MODELS) -> int:
    """Threads per session when `processes` serving processes, each running `models` models at
    once, share this machine's cores."""
    total = cpus or os.cpu_count() or 1
    return max(1, total // (max(1, processes) * models))


def size_for_serving(processes: int) -> int:
    """Name the serving thread count in the environment (inherited by uvicorn's workers)
    unless the operator set one, and hold numpy's BLAS pool to it; returns the count in force.

    A graph scored one text per call gets the process's whole share of the cores as workers
    (`VERACITY_ORT_WORKERS`), not half of it: its calls run on single-threaded sessions, which
    neither spin nor wait on each other, so when both models are busy the cores are simply
    shared, and when one is idle the other uses them all. With one worker per model, the
    falsehood model (and its occlusion reasons) had one core of two while the encoder idled:
    intake with the shipped model at 20 posts/s went from p50 0.23 s before the split to 0.34 s.

    The BLAS pool matters once a head is wider than a toy: with OpenBLAS's default of one thread
    per core, the check-worthiness head's 640-unit layer (a few microseconds of arithmetic per
    batch) woke threads that spun beside the encoder's, and intake with the triage signals at
    100 posts/s cost 12.7 instead of 9.9 ms of API CPU per post (bench/pipeline.py)."""
    os.environ.setdefault(THREADS_ENV, str(serving_threads(processes)))
    os.environ.setdefault(WORKERS_ENV, str(serving_threads(processes, models=1)))
    threads = ort_threads()
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
    return threads
