"""The topic taxonomy: sensitive topics, their severity points and the word stems that mark them.

Shared by the review queue (filters, a case's topic) and incident grading, so both agree on
what "health" means; an incident policy may carry its own table in the same shape.
"""

from __future__ import annotations

import re

Topics = dict[str, tuple[int, tuple[str, ...]]]  # topic -> (severity points, word stems)

GENERAL_TOPIC = "general"  # no sensitive topic found


_POINTS = {"health": 3, "elections": 3, "public_safety": 3, "finance": 2}
# An English stem starts a word ("virus" is not in "coronavirus", so both are listed).
_ENGLISH = {
    "health": (
        *("vaccin", "covid", "virus", "coronavirus", "infect", "cure", "pandemic", "epidemic"),
        *("5g", "cancer"),
    ),
    "elections": ("election", "ballot", "vote", "voting", "polling"),
    "public_safety": ("earthquake", "flood", "evacuat", "shooting", "bomb", "fire"),
    "finance": ("bank", "stock", "crypto", "currency", "inflation"),
}
# A Chinese stem (simplified, then traditional where it differs) may stand anywhere.
_CHINESE = {
    "health": ("疫苗", "新冠", "病毒", "疫情", "感染", "肺炎", "癌"),
    "elections": ("选举", "投票", "选票", "大选", "计票", "選舉", "選票", "大選", "計票"),
    "public_safety": (
        *("地震", "洪水", "撤离", "枪击", "炸弹", "爆炸", "火灾"),
        *("撤離", "槍擊", "炸彈", "火災"),
    ),
    "finance": (
        *("银行", "股票", "股市", "加密货币", "货币", "通胀", "通货膨胀"),
        *("銀行", "加密貨幣", "貨幣", "通脹", "通貨膨脹"),
    ),
}


def default_topics() -> Topics:
    return {topic: (points, _ENGLISH[topic] + _CHINESE[topic]) for topic, points in _POINTS.items()}


def topic_names(topics: Topics | None = None) -> list[str]:
    """Every topic `topic_of` can return."""
    return [*(default_topics() if topics is None else topics), GENERAL_TOPIC]


# Han characters: Chinese writes no spaces between words, so a stem has no word start there.
_LINK = re.compile(r"(?:https?://|www\.)\S+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _found(stem: str, lowered: str) -> bool:
    if _HAN.search(stem):
        return stem in lowered
    return re.search(rf"\b{re.escape(stem)}", lowered) is not None


def topic_of(text: str, topics: Topics | None = None) -> str:
    """The most sensitive topic with a stem in `text` (an English stem starts a word, a Chinese
    one may stand anywhere), else `general`."""
    lowered = _LINK.sub(" ", text.lower())  # a short link's letters are no word ("t.cn/5gAq")
    best, best_points = GENERAL_TOPIC, 0
    for topic, (points, stems) in (default_topics() if topics is None else topics).items():
        if points > best_points and any(_found(s, lowered) for s in stems):
            best, best_points = topic, points
    return best
