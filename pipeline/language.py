"""Which language a post is in, and whether a falsehood model exists for it.

Detection is py3langid (the maintained packaging of langid.py: a naive Bayes over byte n-grams,
97 languages, ~40 us a post). The platform's `lang` is only a hint: it decides when the text
itself is too short to tell (langid's normalised probability under `CONFIDENT`), because short
English posts ("Vaccines contain microchips") are easily mistaken for French or Latin. With
neither a confident detection nor a hint the language is `und` (undetermined) and the English
model scores the post, as it did before detection existed.

`model_language` is the one place that says which model serves a language: a Chinese model
plugs in by adding its code to `MODEL_LANGUAGES` and choosing its classifier by that code.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

UNDETERMINED = "und"
CONFIDENT = 0.5
MODEL_LANGUAGES = frozenset({"en"})  # languages a falsehood model was trained and measured on
_DEFAULT_MODEL_LANGUAGE = "en"  # what scores `und` posts
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


def detect_language(text: str, hint: str | None = None) -> str:
    """An ISO 639-1 code, or `und` when neither the text nor the hint says."""
    lang, probability = _identifier().classify(text)
    if probability >= CONFIDENT:
        return str(lang)
    return normalise_hint(hint) or UNDETERMINED


def model_language(lang: str | None) -> str | None:
    """The language whose falsehood model serves posts in `lang`; None when there is none."""
    if lang is None or lang == UNDETERMINED:
        return _DEFAULT_MODEL_LANGUAGE
    return lang if lang in MODEL_LANGUAGES else None
