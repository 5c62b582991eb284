"""The de-styler (evaluation rewrite) and the serving-time normalisation, on concrete posts."""

from __future__ import annotations

import pytest

from classifier.destyle import destyle, hashtag_words, normalise


@pytest.mark.parametrize(
    ("post", "expected"),
    [
        (
            "BREAKING: Drinking hot water kills the virus!!! Share NOW 😷🙏 https://t.co/abc123",
            "Drinking hot water kills the virus! Share NOW",
        ),
        (
            "RT @MoHFW_INDIA: 1,204 new cases in the last 24 hours. #IndiaFightsCorona "
            "#COVID19 https://t.co/xyz pic.twitter.com/q1",
            "1,204 new cases in the last 24 hours. India Fights Corona COVID19",
        ),
        (
            "Is this true?!? ... “vaccines” contain microchips… via @someone",
            'Is this true? "vaccines" contain microchips.',
        ),
        (
            "CDC: testing expanded in 12 states www.cdc.gov/covid",
            "CDC: testing expanded in 12 states",
        ),
        ("Plain sentence, nothing to change.", "Plain sentence, nothing to change."),
    ],
)
def test_destyle_removes_style_and_keeps_the_claim(post: str, expected: str) -> None:
    assert destyle(post) == expected


def test_destyle_is_idempotent_and_keeps_numbers_and_names() -> None:
    post = "JUST IN: WHO says 3,112 new cases in Kerala!! #StaySafe @WHO https://who.int/x 🦠"
    once = destyle(post)
    assert destyle(once) == once
    for kept in ("WHO", "3,112", "Kerala", "Stay Safe"):
        assert kept in once
    for gone in ("http", "@", "#", "🦠", "!!", "JUST IN"):
        assert gone not in once


def test_hashtags_split_into_words() -> None:
    assert hashtag_words("IndiaFightsCorona") == "India Fights Corona"
    assert hashtag_words("stay_home") == "stay home"
    assert hashtag_words("covid19") == "covid19"
    assert hashtag_words("COVID19") == "COVID19"


def test_normalise_uses_placeholders_instead_of_deleting() -> None:
    post = "RT @cdcgov: masks work https://t.co/abc #MaskUp 😷"
    assert normalise(post) == "RT @user : masks work url Mask Up"
    assert normalise("no style at all") == "no style at all"


def test_destyle_lowers_shouting_but_keeps_acronyms() -> None:
    assert destyle("THE GOVERNMENT IS HIDING the truth, says CDC") == (
        "the government is hiding the truth, says CDC"
    )
    assert destyle("ATTENTION everyone") == "attention everyone"
