"""Input hygiene shared by every classifier: refuse empty text, truncate long, flag odd text."""

from __future__ import annotations

import unicodedata

from classifier.interface import MAX_CHARS, EmptyTextError

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def sanitize(text: str) -> str:
    """Replace lone surrogates (e.g. from undecodable bytes) so the tokenizer never fails."""
    return text.encode("utf-8", "replace").decode("utf-8")


def normalise(text: str) -> str:
    """The text every classifier reads: NFC, without zero-width characters (U+200B, U+200C,
    U+200D, U+2060, U+FEFF), stripped of whitespace. '' means there is nothing to score, and
    the API refuses such a post (`pipeline.schemas.PostIn`) with this same definition."""
    return unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH).strip()


def clean_text(text: str) -> tuple[str, bool]:
    """Return (normalised text, truncated?). Raises EmptyTextError when nothing is left."""
    normalised = normalise(text)
    if not normalised:
        raise EmptyTextError("text is empty or whitespace only")
    if len(normalised) > MAX_CHARS:
        return normalised[:MAX_CHARS], True
    return normalised, False


def latin_share(text: str) -> float:
    """Share of letters that are Latin script; low values mean outside the training languages."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 1.0
    latin = sum(1 for c in letters if "LATIN" in unicodedata.name(c, ""))
    return latin / len(letters)


def is_out_of_distribution(text: str) -> bool:
    return latin_share(text) < 0.5
