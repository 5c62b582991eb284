"""How a serving model's ONNX graph is called: in padded batches, or one text per call.

Dynamic int8 (`classifier.training.export.quantize_int8`) computes each activation's scale
over the whole call, so texts scored together change each other's results: in batches of 8 the
shipped falsehood model moved a demo post's probability by up to 0.38 with its batch-mates (27
of 200 posts by more than 0.01), and in a batch the claim matcher's encoder moved a post's
check-worthiness from 0.716 to 0.777. A post's score must not depend on what arrived with it,
so such a graph gets one text per call. Its threads then run texts side by side on
single-threaded sessions rather than splitting one short text's matrices: 1.7 against 2.8 ms
per demo post for the encoder on 2 threads. Without padding, one call per post costs no more.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from classifier.serving.threads import call_workers

B = TypeVar("B")
R = TypeVar("R")


def dynamically_quantized(onnx_path: Path) -> bool:
    """Whether the graph quantizes its activations at run time (`quantize_int8`'s output)."""
    import onnx

    graph = onnx.load(str(onnx_path), load_external_data=False).graph
    return any(node.op_type == "DynamicQuantizeLinear" for node in graph.node)


class CallPlan:
    """`batch_size` texts per call and `session_threads` intra-op threads for the session;
    `map` runs the calls, side by side when texts go one per call and there are threads."""

    def __init__(
        self, onnx_path: Path, *, batch_size: int, threads: int | None = None, name: str = "onnx"
    ) -> None:
        self.per_text = dynamically_quantized(onnx_path)
        self.batch_size = 1 if self.per_text else batch_size
        self.session_threads = 1 if self.per_text else threads
        self.workers = call_workers(threads) if self.per_text else 1
        self._name = name
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0
        self._lock = threading.Lock()

    def map(self, call: Callable[[B], R], batches: Iterable[B]) -> Iterator[R]:
        """`call` on each batch, results in order."""
        if self.workers <= 1:
            return map(call, batches)
        return self._executor().map(call, batches)

    def _executor(self) -> ThreadPoolExecutor:
        # Made on first use, and again in a forked child (a prefork Celery worker, say): a pool
        # inherited across fork has lost its threads but believes it has them, and never runs.
        with self._lock:
            if self._pool is None or self._pool_pid != os.getpid():
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix=self._name)
                self._pool_pid = os.getpid()
            return self._pool
