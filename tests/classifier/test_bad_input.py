"""Bad and odd input on the shipped model: refused, truncated, sanitised or flagged."""

from __future__ import annotations

import pytest

from classifier.interface import MAX_CHARS, EmptyTextError
from classifier.serving.onnx_classifier import OnnxClassifier


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\u200b\u200d", "\ufeff "])
def test_empty_or_invisible_text_is_refused(shipped: OnnxClassifier, text: str) -> None:
    with pytest.raises(EmptyTextError):
        shipped.predict([text])


def test_overlong_text_is_truncated_and_flagged(shipped: OnnxClassifier) -> None:
    long = "Vaccines contain microchips that track you. " * (MAX_CHARS // 20)
    (pred,) = shipped.predict([long])
    assert pred.truncated
    assert "truncated" in pred.flags
    assert 0.0 <= pred.score <= 1.0


def test_text_over_the_token_limit_is_flagged_but_short_text_is_not(
    shipped: OnnxClassifier,
) -> None:
    words = " ".join(f"word{i}" for i in range(300))
    long_pred, short_pred = shipped.predict([words, "Masks reduce transmission, says WHO."])
    assert long_pred.truncated and "truncated_tokens" in long_pred.flags
    assert not short_pred.truncated and short_pred.flags == ()


@pytest.mark.parametrize(
    "text",
    [
        "Garlic cures COVID 🧄🦠💉 share now!!! 😱",
        "5G towers\u200b spread the\u200d virus",
        "The WHO says \u202bمرحبا\u202c masks help",  # RTL embedding marks inside English text
        "lone surrogate \udcff from undecodable bytes",
        "e\u0301 composed vs é",
    ],
)
def test_emoji_rtl_zero_width_and_surrogates_are_scored(shipped: OnnxClassifier, text: str) -> None:
    (pred,) = shipped.predict([text])
    assert 0.0 <= pred.score <= 1.0
    assert not pred.out_of_distribution


def test_zero_width_characters_do_not_change_the_score(shipped: OnnxClassifier) -> None:
    plain, hidden = shipped.predict(
        ["5G towers spread the virus", "5G tow\u200bers spread the virus"]
    )
    assert plain.score == pytest.approx(hidden.score, abs=1e-6)


@pytest.mark.parametrize(
    "text",
    [
        "Вакцина содержит микрочипы, которые отслеживают людей",
        "喝热水可以杀死冠状病毒，请马上转发",
        "اللقاح يحتوي على شرائح إلكترونية للتتبع",
    ],
)
def test_non_latin_text_is_scored_but_flagged_out_of_distribution(
    shipped: OnnxClassifier, text: str
) -> None:
    (pred,) = shipped.predict([text])
    assert pred.out_of_distribution
    assert "out_of_distribution" in pred.flags
    assert 0.0 <= pred.score <= 1.0
