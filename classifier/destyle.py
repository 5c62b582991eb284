"""Deterministic style removal, so an evaluation can tell style from content.

In Constraint, official accounts write with links, @handles, hashtags and emoji, and
fact-checked false claims read like bare headlines; a model can score the register instead of
the claim. Two rewrites, both pure functions of the text:

`destyle(text)` (evaluation): the "same claim, no style" rewrite.
  - URLs (scheme, `www.`, `t.co/…`, `pic.twitter.com/…`) removed;
  - @handles removed; a leading `RT`/`via @x` removed;
  - hashtags keep their words: `#IndiaFightsCorona` -> `India Fights Corona`, `#covid19` ->
    `covid19`;
  - emoji, pictographs and variation selectors removed;
  - register cues: shouting lower-cased (runs of 2+ ALL-CAPS words, or one of 6+ letters;
    short ones such as CDC or WHO are acronyms and kept), runs of `!`/`?` cut to one
    (`?!` -> `?`), ellipses and repeated dots to one `.`, leading `BREAKING:`/`JUST IN:`/
    `ALERT:`/`UPDATE:`/`FACT CHECK:` labels removed, curly quotes straightened, whitespace
    collapsed, a trailing `:`/`-`/`|` left behind by a removed link dropped.
  Numbers, names and wording are kept: the claim stays the same.

`normalise(text)` (serving option): placeholders instead of deletion, the usual tweet
normalisation (URLs -> `url`, handles -> `@user`, hashtags -> words, emoji removed), so the
model sees *that* a link was there but not which.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from classifier.io import read_patterns

_RE = read_patterns(Path(__file__).with_name("destyle_patterns.txt"))
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "`": "'"})


def _is_emoji(ch: str) -> bool:
    cat = unicodedata.category(ch)
    code = ord(ch)
    return (
        cat == "So"
        or code in (0x200D, 0x20E3)
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0x1F000 <= code <= 0x1FAFF
    )


def strip_emoji(text: str) -> str:
    return "".join(" " if _is_emoji(ch) else ch for ch in text)


def hashtag_words(tag: str) -> str:
    """`IndiaFightsCorona` -> `India Fights Corona`; `covid19` stays; `_` becomes a space."""
    return _RE["camel"].sub(" ", tag.replace("_", " ")).strip()


def _tidy(text: str) -> str:
    text = _RE["space"].sub(" ", text).strip()
    text = _RE["punct_run"].sub(r"\1", _RE["space_punct"].sub(r"\1", text))
    return _RE["trailing"].sub("", _RE["leading"].sub("", text))


def destyle(text: str) -> str:
    """The de-styled rewrite used by `veracity evaluate` (see the module docstring)."""
    out = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    out = _RE["url"].sub(" ", out)
    out = _RE["rt"].sub(" ", out)
    out = _RE["handle"].sub(" ", out)
    out = _RE["hashtag"].sub(lambda m: hashtag_words(m.group(1)), out)
    out = strip_emoji(out)
    out = _RE["label"].sub("", out)
    out = _RE["caps"].sub(lambda m: m.group(0).lower(), out)
    out = _RE["bang"].sub(lambda m: "?" if "?" in m.group(0) else "!", out)
    out = _RE["dots"].sub(".", out)
    return _tidy(out)


def normalise(text: str) -> str:
    """Serving-time normalisation: placeholders for links and handles, hashtags as words."""
    out = _RE["url"].sub(" url ", text)
    out = _RE["handle"].sub(" @user ", out)
    out = _RE["hashtag"].sub(lambda m: hashtag_words(m.group(1)), out)
    out = strip_emoji(out)
    return _RE["space"].sub(" ", out).strip()
