"""Narrative centroids in the database (`models.NarrativeCentroid`), so the online clustering
survives between scans and across processes: one row per (narrative key, drill or not), the sum
of its members' unit vectors, their count and when the last one arrived."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from incidents.models import NarrativeCentroid
from incidents.narratives import Centroids
from incidents.repository.narratives import open_centroid_rows

# The most recently active narratives searched per scan: the lookup is one matrix-vector
# product over them (20k x 384 floats is 30 MB); a busier platform wants an ANN index here.
MAX_OPEN = 20_000


def load_open(
    session: Session,
    is_drill: bool,
    now: datetime,
    window: timedelta,
    dimensions: int,
    limit: int = MAX_OPEN,
) -> Centroids:
    """Centroids of narratives with a member inside the window (older ones are closed)."""
    centroids = Centroids(dimensions)
    for row in open_centroid_rows(session, is_drill, now - window, limit):
        vector = np.frombuffer(row.vector_sum, dtype="<f4")
        if vector.shape[0] == dimensions:  # a row from another encoder is skipped
            centroids.load(row.key, vector.astype(np.float32), row.members)
    return centroids


def save(
    session: Session, centroids: Centroids, keys: set[str], is_drill: bool, now: datetime
) -> None:
    for key in keys:
        total, count = centroids.total(key)
        session.merge(
            NarrativeCentroid(
                key=key,
                is_drill=is_drill,
                vector_sum=total.astype("<f4").tobytes(),
                members=count,
                last_seen_at=now,
            )
        )
