"""Narrative centroids in the database, so the online clustering survives between scans and
across processes: one row per (narrative key, drill or not), the sum of its members' unit
vectors, their count and when the last one arrived."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Boolean, Integer, LargeBinary, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base
from core.types import UtcDateTime
from incidents.narratives import Centroids


class NarrativeCentroid(Base):
    __tablename__ = "narrative_centroids"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    is_drill: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    vector_sum: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian
    members: Mapped[int] = mapped_column(Integer)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


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
    rows = session.scalars(
        select(NarrativeCentroid)
        .where(
            NarrativeCentroid.is_drill.is_(is_drill),
            NarrativeCentroid.last_seen_at >= now - window,
        )
        .order_by(NarrativeCentroid.last_seen_at.desc())
        .limit(limit)
    )
    for row in rows:
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


def rekey(session: Session, winner: str, loser: str, is_drill: bool) -> None:
    """Move a merged narrative's posts, near-duplicate bands and centroid under `winner`.
    Posts already linked to an incident stay where they are."""
    from incidents.models import NarrativePost, PostShingleBand

    already = select(NarrativePost.post_id).where(NarrativePost.key == winner)
    session.execute(
        update(NarrativePost)
        .where(
            NarrativePost.key == loser,
            NarrativePost.is_drill.is_(is_drill),
            NarrativePost.incident_id.is_(None),
            NarrativePost.post_id.not_in(already),
        )
        .values(key=winner)
    )
    session.execute(update(PostShingleBand).where(PostShingleBand.key == loser).values(key=winner))
    session.execute(
        delete(NarrativeCentroid).where(
            NarrativeCentroid.key == loser, NarrativeCentroid.is_drill.is_(is_drill)
        )
    )
