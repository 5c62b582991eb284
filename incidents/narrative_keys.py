"""Which narrative a post belongs to, as a key: `claim:<id>` when it repeats a known claim,
else the key of an earlier near-duplicate (MinHash), else of the nearest open embedding
centroid (`incidents.narratives`), else a new one named after the post.

A claim-matched post's vector joins its claim's centroid too, so a paraphrase that falls below
the matcher's confirmed threshold still lands in the claim's narrative. Drill posts have
centroids and near-duplicates of their own (a drill is a tenant of its own).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from classifier.post_text import with_author
from incidents.clustering import band_hashes
from incidents.models import PostShingleBand
from incidents.narrative_store import load_open, save
from incidents.narratives import JOIN_COSINE, Centroids, TextEmbedder, Vector
from incidents.repository.incidents import live_incident_of_key
from incidents.repository.narratives import earlier_duplicate, rekey
from pipeline.models import Post

CLAIM_PREFIX = "claim:"


def claim_key(claim_id: str) -> str:
    return CLAIM_PREFIX + claim_id


def claim_of(key: str) -> str | None:
    return key[len(CLAIM_PREFIX) :] if key.startswith(CLAIM_PREFIX) else None


class NarrativeKeyer:
    """Keys for one scan batch; `save` writes the centroids it changed."""

    def __init__(
        self,
        session: Session,
        posts: Sequence[Post],
        embed: TextEmbedder | None,
        window: timedelta,
        *,
        threshold: float = JOIN_COSINE,
        skip: frozenset[str] = frozenset(),
    ) -> None:
        """`skip`: posts not embedded (those triage ignores, most of the traffic): they group
        by claim and near-duplicate only, and seed no centroid, so chatter costs no model call
        and the open centroids stay as few as the posts worth reviewing."""
        self.session = session
        self.window = window
        self.threshold = threshold
        self.vectors: dict[str, Vector] = {}
        wanted = [p for p in posts if p.id not in skip]
        if embed is not None and wanted:
            rows = embed([with_author(p.text, p.author_name) for p in wanted])
            self.vectors = {p.id: rows[i] for i, p in enumerate(wanted)}
        self._centroids: dict[bool, Centroids] = {}
        self._touched: dict[bool, set[str]] = {False: set(), True: set()}

    def _open(self, is_drill: bool, now: datetime) -> Centroids | None:
        if not self.vectors:
            return None
        if is_drill not in self._centroids:
            dims = next(iter(self.vectors.values())).shape[0]
            self._centroids[is_drill] = load_open(self.session, is_drill, now, self.window, dims)
        return self._centroids[is_drill]

    def key(self, post: Post, claim_id: str | None, now: datetime) -> tuple[str, float | None]:
        """(narrative key, cosine to the centroid it joined, if it joined by embedding); the
        post's bands and vector are recorded under the key for the posts after it."""
        bands = band_hashes(post.text)
        centroids = self._open(post.is_drill, now)
        vector = self.vectors.get(post.id)
        cosine = None
        if claim_id is not None:
            key = claim_key(claim_id)
        elif found := earlier_duplicate(self.session, bands, post.is_drill, now, self.window):
            key = found
        elif centroids is not None and vector is not None:
            near = centroids.nearest(vector)
            if near is not None and near[1] >= self.threshold:
                key, cosine = near
            else:
                key = f"nar:{post.id}"
        else:
            key = f"dup:{post.id}"
        for band in bands:
            self.session.merge(
                PostShingleBand(post_id=post.id, band=band, key=key, observed_at=now)
            )
        if centroids is not None and vector is not None:
            centroids.add(key, vector)
            key = self._consolidate(centroids, key, post.is_drill)
            self._touched[post.is_drill].add(key)
        return key, cosine

    def _consolidate(self, centroids: Centroids, key: str, is_drill: bool) -> str:
        def rank(k: str) -> tuple[bool, int]:
            pinned = (
                claim_of(k) is not None
                or live_incident_of_key(self.session, k, is_drill) is not None
            )
            return pinned, centroids.total(k)[1]

        key, merges = centroids.consolidate(key, rank, self.threshold)
        for winner, loser in merges:
            rekey(self.session, winner, loser, is_drill)
            self._touched[is_drill].discard(loser)
        return key

    def save(self, now: datetime) -> None:
        for is_drill, keys in self._touched.items():
            if keys:
                save(self.session, self._centroids[is_drill], keys, is_drill, now)
