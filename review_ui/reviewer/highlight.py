"""Splitting a post's text into plain and highlighted runs, and spotting sensitive content.

Highlighting works on runs, not HTML, so the template escapes every piece of user text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_SENSITIVE = re.compile(
    r"\b(kill(?:ed|ing)?|suicide|self-harm|murder(?:ed)?|corpses?|dead bod(?:y|ies)|blood|gore|"
    r"behead\w*|rape[ds]?|abuse[ds]?|massacre|torture[ds]?|graphic)\b",
    re.IGNORECASE,
)
_MEDIA = re.compile(r"\.(?:jpe?g|png|gif|webp|mp4|mov|webm)(?:\?|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Run:
    text: str
    weight: float | None = None  # None: not a reason phrase

    @property
    def kind(self) -> str:
        if self.weight is None:
            return "plain"
        return "raises" if self.weight > 0 else "lowers"


def reason_runs(text: str, reasons: Iterable[Mapping[str, object]]) -> list[Run]:
    """The text cut into runs; each occurrence of a reason phrase is its own weighted run."""
    phrases: list[tuple[str, float]] = []
    for reason in reasons:
        phrase, weight = reason.get("phrase"), reason.get("weight")
        if isinstance(phrase, str) and phrase.strip() and isinstance(weight, int | float):
            phrases.append((phrase.strip(), float(weight)))
    spans: list[tuple[int, int, float]] = []
    for phrase, weight in sorted(phrases, key=lambda p: -len(p[0])):  # longest claims first
        for match in re.finditer(re.escape(phrase), text, re.IGNORECASE):
            start, end = match.span()
            if all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, weight))
    runs: list[Run] = []
    cursor = 0
    for start, end, weight in sorted(spans):
        if start > cursor:
            runs.append(Run(text[cursor:start]))
        runs.append(Run(text[start:end], weight))
        cursor = end
    if cursor < len(text):
        runs.append(Run(text[cursor:]))
    return runs


def is_sensitive_text(text: str) -> bool:
    return _SENSITIVE.search(text) is not None


def is_media_url(url: str | None) -> bool:
    return bool(url) and _MEDIA.search(url or "") is not None
