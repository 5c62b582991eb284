"""Measuring a post's triage signals at intake: language, claim matches, check-worthiness.

One encoder pass serves both the claim matcher and the check-worthiness head (they share the
shipped matcher's MiniLM and its text cleaning). Posts in a language with no model are not
matched: the library and the encoder are English, and a wrong match would link and label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from claims.embeddings import Embedder, Vectors
from claims.matching import Match
from claims.matching_text import clean_post, with_author
from classifier.interface import MAX_CHARS
from pipeline.language import detect_language, model_language
from pipeline.schemas import PostIn
from pipeline.triage import STORED_FLOOR, STORED_MATCHES, MatchInfo


class CheckworthinessScorer(Protocol):
    """`classifier.checkworthiness.CheckWorthiness`: a head over the matcher's encoder."""

    @property
    def version(self) -> str: ...

    def score_embeddings(
        self, embeddings: Vectors, prepared: Sequence[str]
    ) -> npt.NDArray[np.floating]: ...


class ClaimLibrary(Protocol):
    """`claims.library_service.LibraryMatcher`."""

    @property
    def embedder(self) -> Embedder: ...

    def match_vectors(
        self, cleaned: Sequence[str], vectors: Vectors, top: int = 3
    ) -> list[list[tuple[Match, str]]]: ...


@dataclass(frozen=True)
class PostSignals:
    lang: str
    checkworthiness: float | None = None
    matches: tuple[MatchInfo, ...] = ()


def prepare(text: str) -> str:
    """What the encoder reads (= `classifier.checkworthiness.prepare`): bounded, cleaned."""
    bounded = text[:MAX_CHARS]
    return clean_post(bounded) or bounded.strip()


class IntakeSignals:
    def __init__(
        self, library: ClaimLibrary | None, checkworthiness: CheckworthinessScorer | None
    ) -> None:
        self._library = library
        self._checkworthiness = checkworthiness

    def measure(self, posts: Sequence[PostIn]) -> list[PostSignals]:
        langs = [detect_language(p.text, p.lang) for p in posts]
        plain = [prepare(p.text) for p in posts]
        # The matcher reads "Author: text" when the platform names the author.
        for_matcher = [prepare(with_author(p.text, p.author_name)) for p in posts]
        vectors = self._embed([*plain, *for_matcher])
        cw = self._score_checkworthiness(plain, vectors)
        matches = self._match(for_matcher, vectors, langs)
        return [
            PostSignals(lang, None if cw is None else cw[i], matches[i])
            for i, lang in enumerate(langs)
        ]

    def _embed(self, texts: list[str]) -> dict[str, Vectors]:
        embedder = self._embedder()
        if embedder is None or not texts:
            return {}
        distinct = sorted(set(texts))
        return dict(zip(distinct, embedder.embed(distinct), strict=True))

    def _embedder(self) -> Embedder | None:
        if self._library is not None:
            return self._library.embedder
        embedder: Embedder | None = getattr(self._checkworthiness, "embedder", None)
        return embedder

    def _score_checkworthiness(
        self, plain: list[str], vectors: dict[str, Vectors]
    ) -> list[float] | None:
        if self._checkworthiness is None or not plain:
            return None
        matrix = np.stack([vectors[t] for t in plain]).astype(np.float32)
        scores = self._checkworthiness.score_embeddings(matrix, plain)
        return [round(float(s), 6) for s in scores]

    def _match(
        self, cleaned: list[str], vectors: dict[str, Vectors], langs: list[str]
    ) -> list[tuple[MatchInfo, ...]]:
        found: list[tuple[MatchInfo, ...]] = [() for _ in cleaned]
        rows = [i for i, lang in enumerate(langs) if model_language(lang) is not None]
        if self._library is None or not rows:
            return found
        matrix = np.stack([vectors[cleaned[i]] for i in rows]).astype(np.float32)
        results = self._library.match_vectors([cleaned[i] for i in rows], matrix, STORED_MATCHES)
        for i, row in zip(rows, results, strict=True):
            found[i] = tuple(
                MatchInfo(m.claim_id, round(m.score, 6), verdict)
                for m, verdict in row
                if m.score >= STORED_FLOOR
            )
        return found
