"""The Chinese branch of intake signals: Chinese posts matched against the Chinese claims.

`LanguageRoutedSignals` is `pipeline.signals.IntakeSignals` with Chinese posts taken out
before the English encoder pass: those get their claim matches from `ChineseSignals` (the
Chinese encoder over the library's Chinese claims, `claims.matching.zh`) and their
check-worthiness from the Chinese head (`classifier.zh.checkworthiness`, shipped as
`models/checkworthiness-zh-*/`) over the mean-pooled and CLS vectors of the same encoder pass
(the matcher reads its CLS vector; `ZhEncoder.embed_both` returns both). With no head shipped,
Chinese posts get no check-worthiness. Every other post takes the English path unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from classifier.language import detect_language, model_language
from classifier.post_text import with_author
from classifier.serving.embeddings import Embedder, Vectors
from pipeline.schemas import PostIn
from pipeline.signals import ClaimLibrary, IntakeSignals, PostSignals, prepare
from pipeline.triage import STORED_FLOOR, STORED_MATCHES, MatchInfo

if TYPE_CHECKING:
    from classifier.zh.checkworthiness import ZhCheckworthinessHead

ZH = "zh"


class ChineseSignals:
    def __init__(
        self, library: ClaimLibrary, checkworthiness: ZhCheckworthinessHead | None = None
    ) -> None:
        self.library = library
        self.checkworthiness = checkworthiness

    def _embed(self, plain: list[str], cleaned: list[str]) -> tuple[Vectors, Vectors | None]:
        """(the matcher's vectors of `cleaned`, the check-worthiness head's input for `plain`
        or None): one encoder pass over the distinct texts."""
        embedder = self.library.embedder
        both = getattr(embedder, "embed_both", None)
        if self.checkworthiness is None or both is None:
            return embedder.embed(cleaned), None
        distinct = sorted({*plain, *cleaned})
        mean, cls = both(distinct)
        at = {t: i for i, t in enumerate(distinct)}
        matcher = cls if getattr(embedder, "pooling", "cls") == "cls" else mean
        rows = [at[t] for t in plain]
        return (
            np.stack([matcher[at[t]] for t in cleaned]),
            self.checkworthiness.features(mean[rows], cls[rows]),
        )

    def measure(
        self, posts: Sequence[PostIn], langs: Sequence[str] | None = None
    ) -> list[PostSignals]:
        """Signals for posts already detected as Chinese (`langs`: as detected, `zh` by
        default; Cantonese and Wu are read as Chinese): matches and check-worthiness."""
        if not posts:
            return []
        detected = list(langs) if langs is not None else [ZH] * len(posts)
        plain = [prepare(p.text) for p in posts]
        # The matcher reads "Author: text" when the platform names the author (as in English).
        cleaned = [prepare(with_author(p.text, p.author_name)) for p in posts]
        vectors, head_input = self._embed(plain, cleaned)
        cw: list[float | None] = [None] * len(posts)
        if head_input is not None and self.checkworthiness is not None:
            cw = [round(float(s), 6) for s in self.checkworthiness.score(head_input)]
        found = self.library.match_vectors(cleaned, vectors, STORED_MATCHES)
        return [
            PostSignals(
                lang,
                score,
                tuple(
                    MatchInfo(m.claim_id, round(m.score, 6), verdict)
                    for m, verdict in row
                    if m.score >= STORED_FLOOR
                ),
            )
            for lang, score, row in zip(detected, cw, found, strict=True)
        ]


class LanguageRoutedSignals(IntakeSignals):
    def __init__(self, english: IntakeSignals, chinese: ChineseSignals) -> None:
        self._english = english
        self.chinese = chinese

    def __getattr__(self, name: str) -> object:  # what else the English signals offer
        return getattr(self._english, name)

    @property
    def embedder(self) -> Embedder | None:
        """The English encoder (what the API's encoder batcher wraps)."""
        embedder: Embedder | None = getattr(self._english, "embedder", None)
        return embedder

    def with_encoder(self, encoder: Embedder) -> IntakeSignals:
        """The English signals' encoder swapped (`IntakeSignals.with_encoder`), the Chinese
        branch kept."""
        swap = self._english.with_encoder  # type: ignore[attr-defined, unused-ignore]
        return LanguageRoutedSignals(swap(encoder), self.chinese)

    def measure(self, posts: Sequence[PostIn]) -> list[PostSignals]:
        return self.start(posts)()

    def start(self, posts: Sequence[PostIn]) -> Callable[[], list[PostSignals]]:
        langs = [detect_language(p.text, p.lang) for p in posts]
        chinese = [model_language(lang) == ZH for lang in langs]
        others = [p for p, zh in zip(posts, chinese, strict=True) if not zh]
        start_english = getattr(self._english, "start", None)
        finish_english: Callable[[], list[PostSignals]]
        if start_english is not None:
            finish_english = start_english(others) if others else list
        else:
            measured = self._english.measure(others) if others else []
            finish_english = lambda: measured  # noqa: E731
        rows = [i for i, zh in enumerate(chinese) if zh]
        zh_signals = self.chinese.measure([posts[i] for i in rows], [langs[i] for i in rows])

        def finish() -> list[PostSignals]:
            english = iter(finish_english())
            from_zh = iter(zh_signals)
            return [next(from_zh) if zh else next(english) for zh in chinese]

        return finish


def with_chinese_signals(
    english: IntakeSignals, sessions: sessionmaker[Session] | None = None
) -> IntakeSignals:
    """`english` with the Chinese branch when a Chinese model (and its matcher) is shipped:
    over the library in the database (`sessions`), or the bundled claims without one."""
    from claims.matching.zh import ScaledLibrary, is_chinese, zh_parts

    found = zh_parts()
    if found is None:
        return english
    parts, scale = found
    inner: ClaimLibrary
    if sessions is not None:
        from claims.library_service import LibraryMatcher

        inner = LibraryMatcher(sessions, parts, keep=is_chinese)
    else:
        from claims.library_service import FixedLibrary, bundled_claims

        inner = FixedLibrary(parts, bundled_claims(), keep=is_chinese)
    from classifier.zh.checkworthiness import load_head

    head = load_head()
    weights = parts.embedder.name.rsplit(":", 1)[0]
    if head is not None and head.encoder.rsplit(":", 1)[0] != weights:
        head = None  # trained on other encoder weights: no check-worthiness rather than a wrong one
    return LanguageRoutedSignals(english, ChineseSignals(ScaledLibrary(inner, scale), head))
