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

from classifier.destyle import strip_emoji

_URL = re.compile(
    r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]*|(?<![A-Za-z0-9.])(?:t\.cn|sinaurl\.cn)/[A-Za-z0-9]+",
    re.IGNORECASE,
)
_STUB = re.compile(r"(?:网页链接|全文|O网页链接|展开全文c?)\s*$")
_NAME = r"[\w\u4e00-\u9fff\-]{1,30}"
_CHAIN = re.compile(rf"//\s*@{_NAME}\s*[:：]?|回复\s*@{_NAME}\s*[:：]?")
_NAME_CHAR = re.compile(r"[\w\u4e00-\u9fff\-]")
_DELIMITER = re.compile(r"[\s:：,，。、;；!！?？)）】\]/]")
MAX_NAME_WIDTH = 30  # Weibo nicknames: at most 30 characters, a Chinese one counting two
_REPOST_STUB = re.compile(r"^\s*(?:转发微博|轉發微博|Repost)\s*")
_TOPIC = re.compile(r"#([^#\s]{1,40})#|(?<![\w#])#(\w+)")
_CODE = re.compile(r"\[[\w\u4e00-\u9fff]{1,8}\]")
_HEADLINE = re.compile(r"[【〖]([^】〗]*)[】〗]")
_BANG = re.compile(r"[!！]{2,}|[?？]{2,}|[!?！？]{2,}")
_DOTS = re.compile(r"[。.]{3,}|…+")
_SPACE = re.compile(r"\s+")


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
        while j < len(text) and _NAME_CHAR.match(text[j]) and width <= MAX_NAME_WIDTH:
            width += 2 if "\u4e00" <= text[j] <= "\u9fff" else 1
            j += 1
        ends = j == len(text) or bool(_DELIMITER.match(text[j]))
        out.append(" ")
        i = j if j > i + 1 and ends and width <= MAX_NAME_WIDTH else i + 1
    return "".join(out)


def _one(match: re.Match[str]) -> str:
    run = match.group(0)
    return "？" if any(ch in "?？" for ch in run) else "！"


def destyle_zh(text: str) -> str:
    """`text` with its Weibo register removed and its words kept."""
    text = _URL.sub(" ", text)
    text = _CHAIN.sub(" ", text)
    text = _drop_mentions(text)
    text = _REPOST_STUB.sub("", text)
    text = _TOPIC.sub(lambda m: f" {m.group(1) or m.group(2)} ", text)
    text = _CODE.sub(" ", text)
    text = _HEADLINE.sub(lambda m: f"{m.group(1)} ", text)
    text = strip_emoji(text)
    text = _BANG.sub(_one, text)
    text = _DOTS.sub("…", text)
    text = _STUB.sub("", _SPACE.sub(" ", text).strip())
    return text.strip(" :：,，")
