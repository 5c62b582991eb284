"""Exports read the next page while encoding this one, and write the bytes they always wrote."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from audit.db_search import DatabaseSearch
from audit.events import Action
from audit.export import CSV_COLUMNS, Export, _lookup, csv_cell
from audit.prefetch import prefetched
from audit.schemas import ExportFormat, SearchFilters
from core.actors import Actor
from runtime.container import Runtime
from tests.audit.factories import write_events

LEGAL = Actor.system("test-legal")


def test_the_next_batch_is_read_while_the_current_one_is_used() -> None:
    second_batch_read = threading.Event()

    def source() -> Iterator[int]:
        yield from range(10)
        second_batch_read.set()
        yield from range(10, 20)

    batches = prefetched(source(), batch=10)
    first = next(batches)
    # Nothing more is asked of the reader, yet the second batch arrives: it was read ahead.
    assert second_batch_read.wait(5), "the reader did not fetch ahead"
    assert first == list(range(10))
    assert list(batches) == [list(range(10, 20))]


def test_stopping_early_closes_the_source_and_errors_reach_the_consumer() -> None:
    closed = threading.Event()

    def endless() -> Iterator[int]:
        try:
            n = 0
            while True:
                n += 1
                yield n
        finally:
            closed.set()  # where a point-in-time is closed or a session released

    batches = prefetched(endless(), batch=5, ahead=1)
    assert next(batches) == [1, 2, 3, 4, 5]
    batches.close()
    assert closed.wait(5)

    def failing() -> Iterator[int]:
        yield 1
        raise ConnectionError("store went away")

    with pytest.raises(ConnectionError, match="went away"):
        list(prefetched(failing(), batch=10))


def _reference_ndjson(docs: list[dict[str, Any]]) -> bytes:
    """One `json.dumps` line per document: the format exports have always had."""
    return b"".join(
        (json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n").encode() for d in docs
    )


def _reference_csv(docs: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for doc in docs:
        writer.writerow([csv_cell(_lookup(doc, col)) for col in CSV_COLUMNS])
    return out.getvalue().encode()


def test_exports_across_many_batches_write_the_same_bytes_as_one_line_per_document(
    rt: Runtime,
) -> None:
    write_events(rt, 700, reason='=HYPERLINK("x") «fausse» cure', after={"n": -0.5, "t": "é"})
    write_events(rt, 600, action=Action.POST_SCORED, post_prefix="q")
    store = DatabaseSearch(rt.sessions)
    everything = SearchFilters()
    for fmt, reference_of in (
        (ExportFormat.NDJSON, _reference_ndjson),
        (ExportFormat.CSV, _reference_csv),
    ):
        docs = list(store.iter_events(everything, page_size=5000))  # incl. earlier exports' logs
        assert len(docs) >= 1300
        reference = reference_of(docs)
        job = Export(store, rt.sessions, everything, fmt, LEGAL, page_size=256)
        assert job.collect() == reference
        assert job.manifest is not None
        assert (job.manifest.count, job.manifest.bytes) == (len(docs), len(reference))


class _FailingAfter(DatabaseSearch):
    """The database log, whose stream breaks off after `n` events (a store gone mid-export)."""

    def __init__(self, rt: Runtime, n: int) -> None:
        super().__init__(rt.sessions)
        self.n = n

    def iter_events(self, filters: SearchFilters, *, page_size: int) -> Iterator[dict[str, Any]]:
        for i, doc in enumerate(super().iter_events(filters, page_size=page_size)):
            if i == self.n:
                raise ConnectionError("store went away")
            yield doc


def _send(job: Export, sent: bytearray) -> None:
    for chunk in job.chunks():
        sent.extend(chunk)


@pytest.mark.parametrize("fmt", [ExportFormat.NDJSON, ExportFormat.CSV])
def test_an_export_broken_off_states_the_events_it_handed_over(
    rt: Runtime, fmt: ExportFormat
) -> None:
    """The manifest of a partial export counts the events in the bytes sent, not also those
    read but still waiting for the next chunk when the store failed."""
    write_events(rt, 800)
    job = Export(_FailingAfter(rt, 700), rt.sessions, SearchFilters(), fmt, LEGAL, page_size=100)
    sent = bytearray()
    with pytest.raises(ConnectionError):
        _send(job, sent)
    assert job.manifest is not None and not job.manifest.completed
    assert (job.manifest.bytes, job.manifest.sha256) == (
        len(sent),
        hashlib.sha256(sent).hexdigest(),
    )
    header = 1 if fmt is ExportFormat.CSV and sent else 0
    rows = sent.count(b"\n") - header
    assert job.manifest.count == rows
