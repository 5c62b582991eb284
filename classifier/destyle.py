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

import re
import unicodedata

_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b(?:t\.co|bit\.ly|pic\.twitter\.com|youtu\.be)/\S+", re.IGNORECASE
)
_HANDLE = re.compile(r"(?<![\w@])@\w{1,30}")
_RT = re.compile(r"^\s*RT\b:?\s*|\bvia\s+(?=@\w)", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d{3,})")
_LABEL = re.compile(
    r"^\s*(?:breaking(?:\s+news)?|just\s+in|alert|update|fact\s*check|urgent|news)\s*[:\-|]+\s*",
    re.IGNORECASE,
)
# shouting: a run of 2+ all-caps words, or one of 6+ letters; short ones are acronyms (CDC, WHO)
_CAPS = re.compile(r"\b[A-Z][A-Z']+(?:\s+[A-Z][A-Z']+)+\b|\b[A-Z][A-Z']{5,}\b")
_BANG = re.compile(r"[!?]*\?[!?]*\?[!?]*|[!?]*\?!+[!?]*|!{2,}")
_DOTS = re.compile(r"\.{2,}|…")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "`": "'"})
_SPACE = re.compile(r"\s+")
_SPACE_PUNCT = re.compile(r"\s+([,.;:!?])")
_TRAILING = re.compile(r"[\s:|\-–—]+$")
_LEADING = re.compile(r"^[\s:;,.|\-–—]+")
_PUNCT_RUN = re.compile(r"([!?.])(?:\s*[!?.])+")


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
    return _CAMEL.sub(" ", tag.replace("_", " ")).strip()


def _tidy(text: str) -> str:
    text = _SPACE.sub(" ", text).strip()
    text = _PUNCT_RUN.sub(r"\1", _SPACE_PUNCT.sub(r"\1", text))
    return _TRAILING.sub("", _LEADING.sub("", text))


def destyle(text: str) -> str:
    """The de-styled rewrite used by `veracity evaluate` (see the module docstring)."""
    out = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    out = _URL.sub(" ", out)
    out = _RT.sub(" ", out)
    out = _HANDLE.sub(" ", out)
    out = _HASHTAG.sub(lambda m: hashtag_words(m.group(1)), out)
    out = strip_emoji(out)
    out = _LABEL.sub("", out)
    out = _CAPS.sub(lambda m: m.group(0).lower(), out)
    out = _BANG.sub(lambda m: "?" if "?" in m.group(0) else "!", out)
    out = _DOTS.sub(".", out)
    return _tidy(out)


def normalise(text: str) -> str:
    """Serving-time normalisation: placeholders for links and handles, hashtags as words."""
    out = _URL.sub(" url ", text)
    out = _HANDLE.sub(" @user ", out)
    out = _HASHTAG.sub(lambda m: hashtag_words(m.group(1)), out)
    out = strip_emoji(out)
    return _SPACE.sub(" ", out).strip()
