"""Reasons by occlusion: drop each chunk of words, re-score, merge neighbours into phrases.

A post is cut into at most MAX_VARIANTS chunks of consecutive words (one word each for short
posts, two or three for long ones), so the cost per post is bounded whatever its length.

Weights are in calibrated log-odds: `logit(full post) - logit(post without the phrase)`, so a
positive weight means the phrase pushed the score towards "false". All occluded variants of all
posts are scored in one length-sorted batched call, so the cost is about (words per post) extra
short forward passes per post; `bench/classifier_throughput.py` reports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from classifier.interface import Reason

_WORD = re.compile(r"\S+")
MAX_WORDS = 48  # words beyond this are not occluded (posts are rarely longer)
MAX_VARIANTS = 12  # occluded copies scored per post: the cost bound of explaining one post
MAX_PHRASE = 3
TOP_K = 5

LogitFn = Callable[[Sequence[str]], NDArray[np.float64]]


def _spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the chunks to occlude: consecutive words, at most MAX_VARIANTS."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)][:MAX_WORDS]
    size = max(1, -(-len(words) // MAX_VARIANTS))  # ceil: words per chunk
    return [
        (words[i][0], words[min(i + size, len(words)) - 1][1]) for i in range(0, len(words), size)
    ]


def _without(text: str, span: tuple[int, int]) -> str:
    rest = (text[: span[0]] + text[span[1] :]).strip()
    return rest or "."


def occlusion_reasons(
    texts: Sequence[str], base_logits: NDArray[np.float64], logit_fn: LogitFn
) -> list[tuple[Reason, ...]]:
    spans = [_spans(t) for t in texts]
    variants = [_without(t, s) for t, ss in zip(texts, spans, strict=True) for s in ss]
    occluded = logit_fn(variants) if variants else np.zeros(0)
    out: list[tuple[Reason, ...]] = []
    pos = 0
    for text, ss, base in zip(texts, spans, base_logits, strict=True):
        deltas = [float(base - occluded[pos + k]) for k in range(len(ss))]
        pos += len(ss)
        out.append(_phrases(text, ss, deltas))
    return out


def _phrases(text: str, spans: list[tuple[int, int]], deltas: list[float]) -> tuple[Reason, ...]:
    """Merge runs of adjacent words pushing the same way (up to MAX_PHRASE words)."""
    groups: list[tuple[int, int, float]] = []  # (first chunk, last chunk, summed weight)
    words = len(_WORD.findall(text[spans[0][0] : spans[-1][1]])) if spans else 0
    max_chunks = max(1, MAX_PHRASE * len(spans) // max(1, words))  # phrases stay short
    for i, d in enumerate(deltas):
        if groups:
            first, _, w = groups[-1]
            same_sign = (w > 0) == (d > 0)
            if same_sign and i - first < max_chunks and abs(d) > 0.05 * abs(w):
                groups[-1] = (first, i, w + d)
                continue
        groups.append((i, i, d))
    ranked = sorted(groups, key=lambda g: -abs(g[2]))[:TOP_K]
    return tuple(
        Reason(text[spans[f][0] : spans[last][1]], round(w, 4))
        for f, last, w in ranked
        if abs(w) > 1e-4
    )
