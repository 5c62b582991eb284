"""One `Classifier` that sends each post to the falsehood model for its language.

Chinese posts (Simplified or Traditional) go to the Chinese model (`classifier.zh`), everything
else to the English model: English because it was trained on it, `und` because that is what
scored undetermined posts before detection existed, and any other language because triage
gives it `unsupported_language` whatever the score says (`pipeline.triage.triage_band`), so
the English score is only stored, never acted on.

The language is decided from the text by `classifier.language.route_language` (py3langid, the
same detection intake stores; the platform's hint is not available here, so a post whose
language only the hint decided is scored by the model its script implies).

`model_version` names both models (`"<english>+<chinese>"`); each prediction carries the
version of the model that actually scored it. `scoring_version(version, text)` says which one
that is for a text, so intake re-scores a post when its own model changed (or when a Chinese
post was last scored by the English model).
"""

from __future__ import annotations

from collections.abc import Sequence

from classifier.interface import Classifier, Prediction
from classifier.thresholds import Thresholds

SEPARATOR = "+"


def _is_chinese(text: str) -> bool:
    from classifier.language import route_language

    return route_language(text) == "zh"


class LanguageRoutedClassifier:
    def __init__(self, english: Classifier, chinese: Classifier) -> None:
        self.english = english
        self.chinese = chinese

    @property
    def model_version(self) -> str:
        return f"{self.english.model_version}{SEPARATOR}{self.chinese.model_version}"

    @property
    def thresholds(self) -> Thresholds:
        """The English model's (each prediction's band comes from its own model's)."""
        return self.english.thresholds

    def predict(self, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        chinese = [_is_chinese(t) for t in texts]
        out: list[Prediction | None] = [None] * len(texts)
        for model, wanted in ((self.english, False), (self.chinese, True)):
            rows = [i for i, zh in enumerate(chinese) if zh is wanted]
            if rows:
                for i, p in zip(
                    rows, model.predict([texts[i] for i in rows], explain=explain), strict=True
                ):
                    out[i] = p
        return [p for p in out if p is not None]


def scoring_version(version: str, text: str) -> str:
    """The version of the model that scores `text` under a classifier reporting `version`."""
    english, sep, chinese = version.partition(SEPARATOR)
    if not sep:
        return version
    return chinese if _is_chinese(text) else english


def with_chinese(english: Classifier) -> Classifier:
    """`english` routed with the shipped Chinese model, or `english` alone when none is shipped
    (or when `english` is the reference scorer, which tests of other modules use)."""
    from classifier.reference import ReferenceClassifier
    from classifier.zh.serving import load_zh_classifier

    if isinstance(english, ReferenceClassifier):
        return english
    chinese = load_zh_classifier()
    return english if chinese is None else LanguageRoutedClassifier(english, chinese)
