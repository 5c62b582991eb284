"""Measuring a post's triage signals at intake: language, claim matches, check-worthiness.

One encoder pass serves both the claim matcher and the check-worthiness head (they share the
shipped matcher's MiniLM and its text cleaning). Posts in a language with no model are not
matched: the library and the encoder are English, and a wrong match would link and label.

`start` submits the encoder pass and `finish` (what it returns) waits for it: in the API the
encoder is an `api.batcher.EncoderBatcher`, so the pass runs on the batcher's thread, shared
with concurrent requests, while the request scores falsehood (`pipeline.intake`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Protocol, cast

import numpy as np
import numpy.typing as npt

from claims.matching.matcher import Match
from classifier.interface import MAX_CHARS
from classifier.language import detect_language, model_language
from classifier.post_text import clean_post, with_author
from classifier.serving.embeddings import Embedder, Vectors
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


class BatchedEncoder(Embedder, Protocol):
    """`api.batcher.EncoderBatcher`: queue texts now, one vector per text later."""

    def submit(self, texts: Sequence[str]) -> Future[list[Vectors]]: ...


ENCODER_TIMEOUT_SECONDS = 60.0


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
        self,
        library: ClaimLibrary | None,
        checkworthiness: CheckworthinessScorer | None,
        encoder: Embedder | None = None,
    ) -> None:
        """encoder: what posts are embedded with; None: the library's (= the head's)."""
        self._library = library
        self._checkworthiness = checkworthiness
        self._encoder = encoder

    def with_encoder(self, encoder: Embedder) -> IntakeSignals:
        """The same signals, posts embedded by `encoder` (a batcher over `self.embedder`)."""
        return IntakeSignals(self._library, self._checkworthiness, encoder)

    def measure(self, posts: Sequence[PostIn]) -> list[PostSignals]:
        return self.start(posts)()

    def start(self, posts: Sequence[PostIn]) -> Callable[[], list[PostSignals]]:
        """Languages and texts now, the encoder pass submitted; the call returned finishes."""
        langs = [detect_language(p.text, p.lang) for p in posts]
        plain = [prepare(p.text) for p in posts]
        # The matcher reads "Author: text" when the platform names the author.
        for_matcher = [prepare(with_author(p.text, p.author_name)) for p in posts]
        embedded = self._submit([*plain, *for_matcher])

        def finish() -> list[PostSignals]:
            vectors = embedded()
            cw = self._score_checkworthiness(plain, vectors)
            matches = self._match(for_matcher, vectors, langs)
            return [
                PostSignals(lang, None if cw is None else cw[i], matches[i])
                for i, lang in enumerate(langs)
            ]

        return finish

    def _submit(self, texts: list[str]) -> Callable[[], dict[str, Vectors]]:
        embedder = self.embedder
        if embedder is None or not texts:
            return dict
        distinct = sorted(set(texts))
        if not hasattr(embedder, "submit"):
            return lambda: dict(zip(distinct, embedder.embed(distinct), strict=True))
        future = cast(BatchedEncoder, embedder).submit(distinct)
        return lambda: dict(
            zip(distinct, future.result(timeout=ENCODER_TIMEOUT_SECONDS), strict=True)
        )

    @property
    def embedder(self) -> Embedder | None:
        if self._encoder is not None:
            return self._encoder
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
                MatchInfo(m.claim_id, round(m.score, 6), verdict, round(m.dense, 6))
                for m, verdict in row
                if m.score >= STORED_FLOOR
            )
        return found
