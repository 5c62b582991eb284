"""Which language a post is in, and whether a falsehood model exists for it.

Detection is py3langid (the maintained packaging of langid.py: a naive Bayes over byte n-grams,
97 languages, ~40 us a post). The platform's `lang` is only a hint: it decides when the text
itself is too short to tell (langid's normalised probability under `CONFIDENT`), because short
English posts ("Vaccines contain microchips") are easily mistaken for French or Latin. With
neither a confident detection nor a hint the language is `und` (undetermined) and the English
model scores the post, as it did before detection existed.

`model_language` is the one place that says which model serves a language: English always,
Chinese (`zh`, Simplified or Traditional: py3langid gives both `zh`) when a Chinese model is
shipped (`models/bge-small-zh-*/`, `classifier.zh`). `classifier.serving.routed` sends each post to
its model by `route_language`.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

UNDETERMINED = "und"
CONFIDENT = 0.5
MODEL_LANGUAGES = frozenset({"en", "zh"})  # languages a falsehood model was trained and measured on
_DEFAULT_MODEL_LANGUAGE = "en"  # what scores `und` posts
# languages whose check-worthiness model (`models/checkworthiness-*`, English sets) decides urgent
# as well as the gate; Chinese posts get a gate-only score (`models/checkworthiness-zh-*`)
CHECKWORTHINESS_LANGUAGES = frozenset({"en"})
# languages whose claim matcher is fine-tuned (`models/claim-matcher-*`): a suggested match there
# keeps a post the check-worthiness gate would drop. The Chinese matcher is the encoder's raw
# cosine (`claims/matching/zh.py`), which everyday posts sharing a topic with a claim reach.
SUGGESTED_MATCH_LANGUAGES = frozenset({"en"})
_lock = threading.Lock()  # langid's classifier keeps no state, but loading it must happen once


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    with _lock:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def normalise_hint(hint: str | None) -> str | None:
    """`en-US` -> `en`, `zh_Hans` -> `zh`; None for an empty hint."""
    if not hint:
        return None
    code = hint.strip().replace("_", "-").split("-")[0].lower()
    return code or None


def is_chinese_script(text: str) -> bool:
    """Mostly Han characters (at least half the letters) and no Japanese kana or Korean hangul:
    Chinese, Simplified or Traditional, however short."""
    han = other = 0
    for ch in text:
        code = ord(ch)
        if 0x3040 <= code <= 0x30FF or 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF:
            return False  # kana, hangul
        if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
            han += 1
        elif ch.isalpha():
            other += 1
    return han > 0 and han >= other


def detect_language(text: str, hint: str | None = None) -> str:
    """An ISO 639-1 code, or `und` when neither the text nor the hint says.

    langid spreads short Chinese texts over zh, ja and others (a 15-character claim scores
    about 0.45 for zh), so below `CONFIDENT` a text in Chinese script is `zh` before the hint
    is asked."""
    lang, probability = _identifier().classify(text)
    if probability >= CONFIDENT:
        return str(lang)
    if is_chinese_script(text):
        return "zh"
    return normalise_hint(hint) or UNDETERMINED


@lru_cache(maxsize=1)
def served_languages() -> frozenset[str]:
    """`MODEL_LANGUAGES` whose model is shipped: Chinese only with `models/bge-small-zh-*/`."""
    from classifier.zh.serving import find_zh_model_dir

    return MODEL_LANGUAGES if find_zh_model_dir() is not None else MODEL_LANGUAGES - {"zh"}


# Chinese varieties py3langid tells apart, read by the Chinese model: short Traditional posts
# in standard written Chinese often come out as `yue` (Cantonese) and Shanghai-flavoured ones as
# `wuu` (Wu); the detected code is stored as detected, the post is scored as Chinese.
CHINESE_VARIETIES = frozenset({"yue", "wuu"})


def model_language(lang: str | None) -> str | None:
    """The language whose falsehood model serves posts in `lang`; None when there is none."""
    if lang is None or lang == UNDETERMINED:
        return _DEFAULT_MODEL_LANGUAGE
    if lang in CHINESE_VARIETIES:
        lang = "zh"
    return lang if lang in served_languages() else None


def measures_checkworthiness(lang: str | None) -> bool:
    """Whether a check-worthiness score in `lang` also decides urgent (English, undetermined)."""
    return model_language(lang) in CHECKWORTHINESS_LANGUAGES


def trusts_suggested_matches(lang: str | None) -> bool:
    """Whether a suggested claim match in `lang` keeps a post that makes no claim (English,
    undetermined): see SUGGESTED_MATCH_LANGUAGES."""
    return model_language(lang) in SUGGESTED_MATCH_LANGUAGES


def route_language(text: str) -> str:
    """The model a text goes to from its text alone: `zh` or `en` (`en` also for undetermined
    and unsupported languages, whose band triage sets to `unsupported_language`)."""
    return "zh" if model_language(detect_language(text)) == "zh" else "en"
