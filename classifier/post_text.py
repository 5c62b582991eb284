"""The claim-bearing text of a post, as the encoders and the matcher read it.

Tweets carry noise that is not the claim: links, `pic.twitter.com` references, hashtag marks
and the embed footer ("— Name (@handle) Date"). The footer's display name is kept as a prefix
("Name: text"): who said something is often the claim ("Did Jill Stein endorse Trump?"). On
held-out CheckThat train queries that alone lifted retrieval MAP@5 from 0.886 to 0.928.
"""

from __future__ import annotations

import re

_FOOTER = re.compile(r"\s*[—–]\s*(?P<name>[^—–\n]*)\(@\w+\)\s*[A-Za-z]+\s+\d{1,2},\s*\d{4}\W*$")
_URL = re.compile(r"(https?://\S+|pic\.twitter\.com/\S+|\bwww\.\S+)")
_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+")


def clean_post(text: str) -> str:
    """The claim-bearing part of a post: links and '#'/'@' marks dropped, an embed footer
    replaced by its author's name in front ("Name: text")."""
    footer = _FOOTER.search(text)
    text = _URL.sub(" ", text[: footer.start()] if footer else text)
    body = _SPACE.sub(" ", text.replace("#", " ").replace("@", " ")).strip()
    author = _SPACE.sub(" ", footer.group("name")).strip() if footer else ""
    return f"{author}: {body}" if author and body else body


def with_author(text: str, author_name: str | None) -> str:
    """A post as the matcher reads it when the platform names its author: "Name: text"."""
    name = _SPACE.sub(" ", author_name or "").strip()
    return f"{name}: {text}" if name else text


def duplicate_key(text: str) -> str:
    """Claims equal up to case, punctuation, quote style and spacing share this key."""
    return _NOT_WORD.sub(" ", text.lower()).strip()
