"""What the head reads: the shared encoder's sentence embedding plus a few cheap lexical cues.

`prepare` is exactly the claim matcher's post cleaning (`clean_post(t) or t`), so intake can
embed a post once and hand the same vector to the matcher and to this head. The lexical cues
are the ones check-worthiness papers keep finding (numbers, quantities, comparisons, first or
second person, questions); links, handles and hashtags are already gone after `prepare`, so
the head cannot learn a source's style from them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from classifier.interface import MAX_CHARS
from classifier.post_text import clean_post

Matrix = npt.NDArray[np.float32]

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_QUANTITY = re.compile(
    r"[%$€£¥]|百分之|\b(?:percent|per cent|million|billion|trillion|thousand|hundred)\b", re.I
)
_COMPARE = re.compile(
    r"\b(?:more|less|fewer|than|most|least|highest|lowest|increase[ds]?|decrease[ds]?|doubled?|"
    r"tripled?|rose|fell|cut|raised?|record|every|all|never|always|only)\b|比|最|增加|减少",
    re.I,
)
_FIRST = re.compile(r"\b(?:i|i'm|i've|i'll|me|my|mine|we|we're|our|us)\b|我", re.I)
_SECOND = re.compile(r"\b(?:you|your|you're|yours|y'all)\b|你|您", re.I)
# A Chinese "word" is counted per two characters, so lengths compare across languages.
_WORD = re.compile(r"[^\W\u4e00-\u9fff]+|[\u4e00-\u9fff]{1,2}")

LEXICAL_NAMES = (
    "has_number",
    "numbers",
    "quantity_words",
    "comparison_words",
    "first_person",
    "second_person",
    "question",
    "exclamation",
    "log_words",
)


def prepare(text: str) -> str:
    """The text both heads read: bounded, then exactly what `ClaimMatcher.match` embeds
    (`clean_post(t) or t`), so its vectors can go to `ClaimMatcher.match_vectors` as well."""
    bounded = text[:MAX_CHARS]
    return clean_post(bounded) or bounded


def lexical(texts: Sequence[str]) -> Matrix:
    """One row of `LEXICAL_NAMES` cues per prepared text."""
    out = np.zeros((len(texts), len(LEXICAL_NAMES)), dtype=np.float32)
    for i, text in enumerate(texts):
        words = max(len(_WORD.findall(text)), 1)
        numbers = len(_NUMBER.findall(text))
        out[i] = (
            float(numbers > 0),
            np.log1p(numbers),
            np.log1p(len(_QUANTITY.findall(text))),
            len(_COMPARE.findall(text)) / words,
            len(_FIRST.findall(text)) / words,
            len(_SECOND.findall(text)) / words,
            float("?" in text or "？" in text),
            float("!" in text or "！" in text),
            np.log1p(words),
        )
    return out


def features(embeddings: Matrix, prepared: Sequence[str]) -> Matrix:
    """The head's input: embedding columns, then the lexical cues."""
    if embeddings.shape[0] != len(prepared):
        raise ValueError(f"{embeddings.shape[0]} embeddings for {len(prepared)} texts")
    return np.hstack([embeddings.astype(np.float32), lexical(prepared)])
