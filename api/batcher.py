"""Dynamic batching: concurrent requests' texts are coalesced into one model call.

`DynamicBatcher` has the `Classifier` shape, so `score_posts` uses it unchanged. One worker
thread owns the model; callers wait on a future. The queue is bounded in texts and in the
time the queued texts will take (measured per text as batches run): past either bound
`predict` raises `Overloaded` at once instead of letting latency grow without bound.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from classifier.interface import Classifier, Prediction
from classifier.thresholds import Thresholds

RESULT_TIMEOUT_SECONDS = 60.0


class Overloaded(Exception):
    """The batch queue is full; the caller should retry after a short pause."""


@dataclass
class _Job:
    texts: list[str]
    explain: bool
    future: Future[list[Prediction]] = field(default_factory=Future)


BatchObserver = Callable[[int, int], None]  # (batch size in texts, queue depth after taking it)


class DynamicBatcher:
    def __init__(
        self,
        classifier: Classifier,
        *,
        max_batch: int = 32,
        max_wait_seconds: float = 0.003,
        max_queued_texts: int = 1024,
        max_queue_seconds: float = 2.0,
        observer: BatchObserver | None = None,
    ) -> None:
        self._classifier = classifier
        self.max_batch = max_batch
        self.max_wait = max_wait_seconds
        self.max_queued = max_queued_texts
        self.max_queue_seconds = max_queue_seconds
        self._seconds_per_text = 0.0  # moving average of model time per text
        self._observer = observer
        self._jobs: deque[_Job] = deque()
        self._queued = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    @property
    def model_version(self) -> str:
        return self._classifier.model_version

    @property
    def thresholds(self) -> Thresholds:
        return self._classifier.thresholds

    @property
    def queued_texts(self) -> int:
        return self._queued

    def predict(self, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        if not texts:
            return []
        job = _Job(list(texts), explain)
        with self._cond:
            waiting = self._queued + len(job.texts)
            if waiting > self.max_queued:
                raise Overloaded(f"{self._queued} texts already waiting for the model")
            if self._queued and waiting * self._seconds_per_text > self.max_queue_seconds:
                raise Overloaded(
                    f"the model is {self._queued * self._seconds_per_text:.1f}s behind"
                )
            self._ensure_started()
            self._jobs.append(job)
            self._queued += len(job.texts)
            self._cond.notify()
        return job.future.result(timeout=RESULT_TIMEOUT_SECONDS)

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _ensure_started(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="batcher", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            self._execute(batch)

    def _next_batch(self) -> list[_Job] | None:
        """Wait for a job, then up to `max_wait` for more, taking jobs with the same `explain`."""
        with self._cond:
            while not self._jobs:
                if self._stopping:
                    return None
                self._cond.wait()
            deadline = time.monotonic() + self.max_wait
            while self._size_ready() < self.max_batch and not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            batch = self._take()
            if self._observer is not None:
                self._observer(sum(len(j.texts) for j in batch), self._queued)
            return batch

    def _size_ready(self) -> int:
        first = self._jobs[0].explain
        return sum(len(j.texts) for j in self._jobs if j.explain == first)

    def _take(self) -> list[_Job]:
        first = self._jobs[0]
        batch, size, kept = [first], len(first.texts), deque[_Job]()
        for job in list(self._jobs)[1:]:
            if job.explain == first.explain and size + len(job.texts) <= self.max_batch:
                batch.append(job)
                size += len(job.texts)
            else:
                kept.append(job)
        self._jobs = kept
        self._queued -= size
        return batch

    def _execute(self, batch: list[_Job]) -> None:
        texts = [t for job in batch for t in job.texts]
        start = time.perf_counter()
        try:
            predictions = self._predict_chunked(texts, batch[0].explain)
        except Exception as exc:
            for job in batch:
                job.future.set_exception(exc)
            return
        per_text = (time.perf_counter() - start) / len(texts)
        self._seconds_per_text = (
            per_text
            if not self._seconds_per_text
            else (0.8 * self._seconds_per_text + 0.2 * per_text)
        )
        start = 0
        for job in batch:
            job.future.set_result(predictions[start : start + len(job.texts)])
            start += len(job.texts)

    def _predict_chunked(self, texts: list[str], explain: bool) -> list[Prediction]:
        out: list[Prediction] = []
        for i in range(0, len(texts), self.max_batch):
            out.extend(self._classifier.predict(texts[i : i + self.max_batch], explain=explain))
        return out
