"""Dynamic batching: concurrent requests' texts are coalesced into one model call.

`MicroBatcher` is the machinery: one worker thread owns a model; callers submit texts and wait
on a future. The queue is bounded in texts and in the time the queued texts will take
(measured per text as batches run): past either bound a submit raises `Overloaded` at once
instead of letting latency grow without bound. Two models run behind it in the API process,
each on its own thread, so one request's falsehood scoring and its encoder pass overlap:

- `DynamicBatcher` has the `Classifier` shape, so `score_posts` uses it unchanged.
- `EncoderBatcher` has the `Embedder` shape plus `submit`: the claim matcher's encoder, whose
  vectors serve claim matching and check-worthiness (`pipeline.signals`). A text sent by two
  requests in one micro-batch is encoded once.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np

from classifier.interface import Classifier, Prediction
from classifier.serving.embeddings import Embedder, Vectors
from classifier.thresholds import Thresholds

RESULT_TIMEOUT_SECONDS = 60.0
M = TypeVar("M")  # the model
R = TypeVar("R")  # what the model gives for one text


class Overloaded(Exception):
    """The batch queue is full; the caller should retry after a short pause."""


@dataclass
class _Job(Generic[R]):
    texts: list[str]
    key: Hashable  # only jobs with the same key share a model call (explained or not)
    future: Future[list[R]] = field(default_factory=Future)


BatchObserver = Callable[[int, int], None]  # (batch size in texts, queue depth after taking it)


class MicroBatcher(Generic[M, R]):
    """The queue and the worker thread that owns `model`; a subclass says what one model call
    is (`_run`)."""

    thread_name = "batcher"

    def __init__(
        self,
        model: M,
        *,
        max_batch: int = 32,
        max_wait_seconds: float = 0.003,
        max_queued_texts: int = 1024,
        max_queue_seconds: float = 2.0,
        observer: BatchObserver | None = None,
    ) -> None:
        self._model = model
        self.max_batch = max_batch
        self.max_wait = max_wait_seconds
        self.max_queued = max_queued_texts
        self.max_queue_seconds = max_queue_seconds
        self._seconds_per_text = 0.0  # moving average of model time per text
        self._observer = observer
        self._jobs: deque[_Job[R]] = deque()
        self._queued = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    @property
    def queued_texts(self) -> int:
        return self._queued

    def _run(self, texts: list[str], key: Hashable) -> Sequence[R]:
        """One model call on at most `max_batch` texts: one result per text, in order."""
        raise NotImplementedError

    def submit(self, texts: Sequence[str], key: Hashable = None) -> Future[list[R]]:
        """Queue `texts`; the future holds their results once their micro-batch has run."""
        job: _Job[R] = _Job(list(texts), key)
        if not job.texts:
            job.future.set_result([])
            return job.future
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
        return job.future

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
            self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            self._execute(batch)

    def _next_batch(self) -> list[_Job[R]] | None:
        """Wait for a job, then up to `max_wait` for more, taking jobs with the same key."""
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
        first = self._jobs[0].key
        return sum(len(j.texts) for j in self._jobs if j.key == first)

    def _take(self) -> list[_Job[R]]:
        first = self._jobs[0]
        batch, size, kept = [first], len(first.texts), deque[_Job[R]]()
        for job in list(self._jobs)[1:]:
            if job.key == first.key and size + len(job.texts) <= self.max_batch:
                batch.append(job)
                size += len(job.texts)
            else:
                kept.append(job)
        self._jobs = kept
        self._queued -= size
        return batch

    def _execute(self, batch: list[_Job[R]]) -> None:
        texts = [t for job in batch for t in job.texts]
        start = time.perf_counter()
        try:
            results = self._call(texts, batch[0].key)
        except Exception as exc:
            self._fail_apart(batch, exc)
            return
        per_text = (time.perf_counter() - start) / len(texts)
        self._seconds_per_text = (
            per_text
            if not self._seconds_per_text
            else (0.8 * self._seconds_per_text + 0.2 * per_text)
        )
        at = 0
        for job in batch:
            job.future.set_result(results[at : at + len(job.texts)])
            at += len(job.texts)

    def _call(self, texts: list[str], key: Hashable) -> list[R]:
        results: list[R] = []
        for i in range(0, len(texts), self.max_batch):  # a large job alone: model-sized calls
            results.extend(self._run(texts[i : i + self.max_batch], key))
        return results

    def _fail_apart(self, batch: list[_Job[R]], exc: Exception) -> None:
        """A failed call fails only the requests that fail alone: one request's unreadable
        text must not fail the others that shared its micro-batch, so each runs again alone."""
        if len(batch) == 1:
            batch[0].future.set_exception(exc)
            return
        for job in batch:
            try:
                job.future.set_result(self._call(job.texts, job.key))
            except Exception as own:
                job.future.set_exception(own)


class DynamicBatcher(MicroBatcher[Classifier, Prediction]):
    """The falsehood classifier behind the queue, with the `Classifier` shape."""

    @property
    def model_version(self) -> str:
        return self._model.model_version

    @property
    def thresholds(self) -> Thresholds:
        return self._model.thresholds

    def predict(self, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        if not texts:
            return []
        return self.submit(texts, explain).result(timeout=RESULT_TIMEOUT_SECONDS)

    def _run(self, texts: list[str], key: Hashable) -> Sequence[Prediction]:
        return self._model.predict(texts, explain=bool(key))


class EncoderBatcher(MicroBatcher[Embedder, Vectors]):
    """The claim matcher's encoder behind the queue, with the `Embedder` shape.

    `submit(texts)` returns at once (a future of one vector per text), so a request can score
    its posts with the falsehood model while the encoder runs on this batcher's thread.
    """

    thread_name = "encoder-batcher"

    @property
    def name(self) -> str:
        return self._model.name

    @property
    def dimensions(self) -> int:
        return self._model.dimensions

    def embed(self, texts: Sequence[str]) -> Vectors:
        return stack(self.submit(texts).result(timeout=RESULT_TIMEOUT_SECONDS), self.dimensions)

    def _run(self, texts: list[str], key: Hashable) -> Sequence[Vectors]:
        distinct = list(dict.fromkeys(texts))
        vectors = dict(zip(distinct, self._model.embed(distinct), strict=True))
        return [vectors[t] for t in texts]


def stack(rows: Sequence[Vectors], dimensions: int) -> Vectors:
    """One matrix from an encoder future's rows (float32, (0, dimensions) when empty)."""
    if not rows:
        return np.zeros((0, dimensions), dtype=np.float32)
    return np.stack(rows).astype(np.float32, copy=False)
