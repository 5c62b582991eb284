"""Checks every draft must pass before approval, and the readability shown beside it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

CHANNEL_LIMITS: dict[str, tuple[int, int]] = {  # (title, body) in characters
    "web": (120, 5000),
    "x": (100, 280),
    "banner": (80, 200),
}
SIMILAR_TO_CLAIM = 0.6  # a first sentence this close to the false claim restates it
URL_RE = re.compile(r"https?://[^\s<>\"')\]]+")
PLACEHOLDER_RE = re.compile(
    r"\$\{\w+\}|\$[A-Za-z_]\w*|\{\{?\s*\w+\s*\}?\}|\[(?:TODO|TBD)[^\]]*\]|\bXXX+\b|\bTODO\b|\bTBD\b",
    re.I,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# The Flesch formula counts English syllables and has no meaning for Chinese. For Chinese
# drafts the figure shown is the mean sentence length in characters (short sentences read
# easier: plain-language guides ask for about 20-30 characters); like Flesch it is advisory.
FLESCH = "flesch_reading_ease"
SENTENCE_CHARS = "mean_sentence_length_chars"


@dataclass(frozen=True)
class Failure:
    """One rule a draft breaks: a stable code for the UI and the message shown to the writer."""

    code: str
    message: str


@dataclass(frozen=True)
class CheckReport:
    """The pre-publication checks on a draft: any failure blocks approval and publishing; the
    readability figure and the lengths against the channel's limits are advisory."""

    failures: list[Failure] = field(default_factory=list)
    readability: float = 0.0
    title_length: int = 0
    body_length: int = 0
    limits: tuple[int, int] = (0, 0)
    readability_measure: str = FLESCH  # FLESCH (English) or SENTENCE_CHARS (Chinese)

    @property
    def passed(self) -> bool:
        return not self.failures


def check_draft(
    title: str,
    body: str,
    *,
    channel: str,
    sources: list[str],
    false_claim: str | None = None,
) -> CheckReport:
    limits = CHANNEL_LIMITS.get(channel, CHANNEL_LIMITS["web"])
    failures = [
        *_cites_source(body, sources),
        *_fact_first(title, body, false_claim),
        *_fits_channel(title, body, channel, limits),
        *_no_placeholders(title, body),
    ]
    measure, value = readability(body)
    return CheckReport(failures, value, len(title), len(body), limits, measure)


def is_chinese(text: str) -> bool:
    """Mostly Han characters (of Han characters and Latin letters together)."""
    han = len(_HAN.findall(text))
    latin = len(re.findall(r"[A-Za-z]", URL_RE.sub(" ", text)))
    return han > 0 and han >= 0.3 * (han + latin)


def readability(text: str) -> tuple[str, float]:
    """The measure that fits the text's language and its value."""
    if is_chinese(text):
        return SENTENCE_CHARS, mean_sentence_chars(text)
    return FLESCH, flesch_reading_ease(text)


def mean_sentence_chars(text: str) -> float:
    """Characters per sentence, links and spaces not counted (for Chinese text)."""
    prose = URL_RE.sub(" ", text)
    sentences = [s for s in re.split(r"[。！？!?；;\n]+", prose) if s.strip()]
    if not sentences:
        return 0.0
    chars = sum(len(re.sub(r"\s+", "", s)) for s in sentences)
    return round(chars / len(sentences), 1)


def _cites_source(body: str, sources: list[str]) -> list[Failure]:
    cited = [u.rstrip(".,;:") for u in URL_RE.findall(body)]
    if not cited:
        return [Failure("no_source", "the statement must link at least one source")]
    known = {s.rstrip("/") for s in sources}
    unknown = [u for u in cited if u.rstrip("/") not in known]
    if unknown:
        return [
            Failure(
                "unknown_source",
                f"links not among the statement's sources: {', '.join(unknown[:3])}",
            )
        ]
    return []


def _fact_first(title: str, body: str, false_claim: str | None) -> list[Failure]:
    if not false_claim:
        return []
    claim = _normalise(false_claim)
    failures = []
    if claim in _normalise(title) or _restates(title, false_claim):
        failures.append(Failure("claim_in_headline", "the headline repeats the false claim"))
    first = first_sentence(body)
    if claim in _normalise(first) or _restates(first, false_claim):
        failures.append(
            Failure("claim_first", "state the fact first; the opening restates the false claim")
        )
    return failures


def _fits_channel(title: str, body: str, channel: str, limits: tuple[int, int]) -> list[Failure]:
    failures = []
    if channel not in CHANNEL_LIMITS:
        failures.append(Failure("unknown_channel", f"no such channel {channel!r}"))
    if not title.strip() or not body.strip():
        failures.append(Failure("empty", "title and body must not be empty"))
    if len(title) > limits[0]:
        failures.append(Failure("title_too_long", f"title {len(title)} > {limits[0]} chars"))
    if len(body) > limits[1]:
        failures.append(Failure("too_long", f"body {len(body)} > {limits[1]} chars for {channel}"))
    return failures


def _no_placeholders(title: str, body: str) -> list[Failure]:
    found = sorted({m.group(0) for m in PLACEHOLDER_RE.finditer(f"{title}\n{body}")})
    if found:
        return [Failure("placeholder", f"unfilled placeholders: {', '.join(found[:5])}")]
    return []


def first_sentence(text: str) -> str:
    stripped = text.strip()
    return _SENTENCE_END.split(stripped, maxsplit=1)[0] if stripped else ""


def _normalise(text: str) -> str:
    """Words of Latin script, and each Han character on its own (Chinese has no spaces)."""
    return " ".join(
        re.findall(r"[a-z0-9]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]", text.lower())
    )


# Chinese is compared character by character, so a denial shares most characters with the
# claim it denies (喝盐水不能预防新冠 / 喝盐水可以预防新冠): a sentence adding a negation the
# claim lacks states the fact, it does not restate the claim.
NEGATIONS_ZH = ("不", "没", "无", "非", "未", "勿", "谣", "假", "误")


def _restates(text: str, claim: str) -> bool:
    if _similarity(text, claim) < SIMILAR_TO_CLAIM:
        return False
    if is_chinese(text):
        return not any(n in text and n not in claim for n in NEGATIONS_ZH)
    return True


def _similarity(a: str, b: str) -> float:
    """Word-level: sharing a topic word is fine, repeating the claim's wording is not."""
    return SequenceMatcher(None, _normalise(a).split(), _normalise(b).split()).ratio()


def flesch_reading_ease(text: str) -> float:
    """206.835 − 1.015 × words/sentence − 84.6 × syllables/word (higher reads easier)."""
    prose = URL_RE.sub(" ", text)
    words = re.findall(r"[A-Za-z]+(?:'[a-z]+)?", prose)
    if not words:
        return 0.0
    sentences = max(1, len([s for s in re.split(r"[.!?]+", prose) if s.strip()]))
    syllables = sum(_syllables(w) for w in words)
    score = 206.835 - 1.015 * len(words) / sentences - 84.6 * syllables / len(words)
    return round(score, 1)


def _syllables(word: str) -> int:
    w = word.lower()
    groups = len(re.findall(r"[aeiouy]+", w))
    if w.endswith("e") and not w.endswith(("le", "ee")) and groups > 1:
        groups -= 1
    return max(1, groups)
