"""Chinese style removal for evaluation: does the Chinese model read the claim or the register?

The Chinese counterpart of `classifier.destyle.destyle` (English). Weibo news accounts write
`【headline】` with a `http://t.cn/…` link and @mentions; rumours arrive as reposts with
`//@name:` chains, `[emoji]` codes and `！！！`. `destyle_zh(text)` keeps the words and removes:

- links (`http(s)://…`, `www.…`, bare `t.cn/…`, `sinaurl.cn/…`), and a `网页链接`/`全文` stub;
- repost chains and replies: `//@name:` and `回复@name:` markers (the reposted words stay);
- @mentions (`@name`, Chinese names included, up to the next space or punctuation; a name
  run on into the text loses only its `@`), and a bare `转发微博` (Weibo's default repost text);
- `#topic#` (Weibo's double-hash) and `#tag` marks, keeping the topic's words;
- `[微笑]`-style emoji codes (short bracketed words) and Unicode emoji;
- `【】`/`〖〗` headline brackets (their words stay, followed by a space);
- runs of `！`/`!`/`？`/`?` cut to one, `。。。`/`……`/`...` to one `…`, whitespace collapsed.

Numbers, names and wording stay: the claim stays the same.
"""

from __future__ import annotations

import re
from pathlib import Path

from classifier.destyle import strip_emoji
from classifier.io import read_patterns

_RE = read_patterns(Path(__file__).with_name("destyle_patterns.txt"))
MAX_NAME_WIDTH = 30  # Weibo nicknames: at most 30 characters, a Chinese one counting two


def _drop_mentions(text: str) -> str:
    """`@name` removed where the name ends at a space or punctuation within a nickname's width;
    a name run on into the text cannot be told from the words after it, so only its `@` goes."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] != "@":
            out.append(text[i])
            i += 1
            continue
        j, width = i + 1, 0
        while j < len(text) and _RE["name_char"].match(text[j]) and width <= MAX_NAME_WIDTH:
            width += 2 if "\u4e00" <= text[j] <= "\u9fff" else 1
            j += 1
        ends = j == len(text) or bool(_RE["delimiter"].match(text[j]))
        out.append(" ")
        i = j if j > i + 1 and ends and width <= MAX_NAME_WIDTH else i + 1
    return "".join(out)


def _one(match: re.Match[str]) -> str:
    run = match.group(0)
    return "？" if any(ch in "?？" for ch in run) else "！"


def destyle_zh(text: str) -> str:
    """`text` with its Weibo register removed and its words kept."""
    text = _RE["url"].sub(" ", text)
    text = _RE["chain"].sub(" ", text)
    text = _drop_mentions(text)
    text = _RE["repost_stub"].sub("", text)
    text = _RE["topic"].sub(lambda m: f" {m.group(1) or m.group(2)} ", text)
    text = _RE["code"].sub(" ", text)
    text = _RE["headline"].sub(lambda m: f"{m.group(1)} ", text)
    text = strip_emoji(text)
    text = _RE["bang"].sub(_one, text)
    text = _RE["dots"].sub("…", text)
    text = _RE["stub"].sub("", _RE["space"].sub(" ", text).strip())
    return text.strip(" :：,，")
