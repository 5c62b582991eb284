"""The shared Prometheus directory of a multi-process `veracity serve` run.

prometheus_client picks its value store when it is imported, from `PROMETHEUS_MULTIPROC_DIR`,
so the directory is named in the environment before uvicorn starts the workers (they inherit
it). A directory made here belongs to this run: made empty, removed when the run ends, so a
restart never adds the last run's counts. One the operator set is used as it is (theirs to
empty between runs, as prometheus_client's documentation asks).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from api.metrics import MULTIPROC_ENV


@contextmanager
def multiprocess_metrics(workers: int) -> Iterator[str | None]:
    """Within: the directory the workers share (None with one worker and none set)."""
    given = os.environ.get(MULTIPROC_ENV)
    if given or workers <= 1:
        yield given or None
        return
    path = tempfile.mkdtemp(prefix="veracity-metrics-")
    os.environ[MULTIPROC_ENV] = path
    try:
        yield path
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(path, ignore_errors=True)
