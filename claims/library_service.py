"""The process's claim matcher over the library in the database, refitted when the library changes.

One per process (`runtime.container.Runtime.claim_library`). Before matching it reads the
library's version (count and newest `created_at` of its claims, one indexed query); when that
differs from what it was fitted on, it refits. Claim embeddings are remembered per text, so a
refit after one new claim embeds only that claim. With Elasticsearch configured the kNN
candidates come from the `<prefix>-claims` dense-vector index (`claims.index_es`), shared by
every process; otherwise from the in-process `NumpyIndex`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from claims.index import VectorIndex
from claims.matching.evaluation import ClaimRow
from claims.matching.matcher import ClaimMatcher, Match
from claims.matching.model import MatcherParts
from claims.repository import live_claims_by_id, live_library_version
from classifier.serving.embeddings import Embedder, Vectors

log = logging.getLogger(__name__)
LibraryVersion = tuple[int, datetime | None]


class _RememberingEmbedder:
    """Embeds each distinct claim text once for the life of the process (pruned on refit)."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self._known: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dimensions(self) -> int:
        return self._inner.dimensions

    def embed(self, texts: Sequence[str]) -> Vectors:
        missing = sorted({t for t in texts if t not in self._known})
        if missing:
            self._known.update(zip(missing, self._inner.embed(missing), strict=True))
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._known[text]
        return out

    def keep_only(self, texts: set[str]) -> None:
        self._known = {t: v for t, v in self._known.items() if t in texts}


class _VerdictLibrary:
    """Matches posts against a fitted claim matcher and attaches each claim's verdict."""

    _parts: MatcherParts

    @property
    def embedder(self) -> Embedder:
        """The encoder posts are embedded with (also the check-worthiness head's)."""
        return self._parts.embedder

    def match_vectors(
        self, cleaned: Sequence[str], vectors: Vectors, top: int = 3
    ) -> list[list[tuple[Match, str]]]:
        """The best `top` library claims per post, each with its claim's verdict."""
        matcher, verdicts = self._current()
        found = matcher.match_vectors(cleaned, vectors, top)
        return [[(m, verdicts.get(m.claim_id, "")) for m in row] for row in found]

    def _current(self) -> tuple[ClaimMatcher, dict[str, str]]:
        raise NotImplementedError


class LibraryMatcher(_VerdictLibrary):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        parts: MatcherParts,
        index_factory: Callable[[], VectorIndex] | None = None,
        *,
        keep: Callable[[str], bool] | None = None,
    ) -> None:
        """`keep(text)`: which claims this matcher indexes (by language: English and Chinese
        claims are matched by their own encoders, `claims.matching.zh`); None keeps all."""
        self._sessions = sessions
        self._keep = keep
        self._parts = parts
        self._index_factory = index_factory
        self._claim_embedder = _RememberingEmbedder(parts.embedder)
        self._lock = threading.Lock()
        self._fitted: tuple[LibraryVersion, ClaimMatcher, dict[str, str]] | None = None

    def _current(self) -> tuple[ClaimMatcher, dict[str, str]]:
        with self._sessions() as session:
            version = library_version(session)
            fitted = self._fitted
            if fitted is not None and fitted[0] == version:
                return fitted[1], fitted[2]
            with self._lock:
                if self._fitted is None or self._fitted[0] != version:
                    self._fitted = (version, *self._fit(session))
                return self._fitted[1], self._fitted[2]

    def _fit(self, session: Session) -> tuple[ClaimMatcher, dict[str, str]]:
        claims = live_claims_by_id(session)
        if self._keep is not None:
            claims = [c for c in claims if self._keep(c.text)]
        rows = [ClaimRow(c.id, c.text, "") for c in claims]
        index = self._index_factory() if self._index_factory else None
        matcher = replace(self._parts, embedder=self._claim_embedder).matcher(index)
        matcher.fit(rows)
        self._claim_embedder.keep_only({c.text for c in claims})
        log.info("claim matcher fitted on %d library claims", len(matcher))
        return matcher, {c.id: c.verdict for c in claims}


def library_version(session: Session) -> LibraryVersion:
    """Live claims and the latest add or edit: a retirement or an edit refits too."""
    count, added, edited = live_library_version(session)
    return count, max((t for t in (added, edited) if t is not None), default=None)


class FixedLibrary(_VerdictLibrary):
    """A claim library fixed at construction (a file's claims, no database): the same matcher
    and verdict lookup for offline measurements (`veracity triage-rates`)."""

    def __init__(
        self,
        parts: MatcherParts,
        claims: Sequence[tuple[str, str, str]],
        *,
        keep: Callable[[str], bool] | None = None,
    ) -> None:
        """claims: (id, text, verdict); `keep(text)` as in `LibraryMatcher`."""
        if keep is not None:
            claims = [c for c in claims if keep(c[1])]
        self._parts = parts
        self._matcher = parts.matcher()
        self._matcher.fit([ClaimRow(cid, text, "") for cid, text, _ in claims])
        self._verdicts = {cid: verdict for cid, _, verdict in claims}

    def _current(self) -> tuple[ClaimMatcher, dict[str, str]]:
        return self._matcher, self._verdicts


def bundled_claims() -> list[tuple[str, str, str]]:
    """The bundled fixture libraries (claims/fixtures/claims.json and claims_zh.json) under
    their imported ids."""
    from claims.importers import read_source
    from claims.models import stable_claim_id

    return [
        (stable_claim_id(r.origin, r.origin_ref), r.text, r.verdict.value)
        for source in ("fixture", "fixture_zh")
        for r in read_source(source, None)
    ]
