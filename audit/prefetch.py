"""Reading a page-at-a-time stream one step ahead, on a thread of its own.

An export spends its time in two places: waiting for the store (Elasticsearch sorting and
sending a page, the database running a query) and encoding what came back. Fetching the next
batch while the current one is encoded overlaps the two; the bounded queue keeps memory flat.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


def prefetched(
    source: Iterator[T], *, batch: int = 1000, ahead: int = 2
) -> Generator[list[T], None, None]:
    """Yield `source` in lists of up to `batch` items, read ahead by at most `ahead` lists.

    The source runs (and is closed) only on the reader thread, so a generator holding a
    point-in-time or a session releases it there; stopping early stops the reader.
    """
    slots: queue.Queue[object] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            chunk: list[T] = []
            for item in source:
                chunk.append(item)
                if len(chunk) >= batch:
                    if not put(chunk):
                        return
                    chunk = []
            if chunk and not put(chunk):
                return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=read, name="export-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join(timeout=30)
