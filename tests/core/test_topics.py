"""Topics of Chinese and English posts: a sensitive topic is found in either language (Chinese
stems match inside a word, as Chinese has no spaces), and everyday posts stay `general`."""

from __future__ import annotations

import pytest

from core.topics import GENERAL_TOPIC, Topics, topic_names, topic_of


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("新冠疫苗里含有芯片", "health"),
        ("喝热水可以杀死病毒", "health"),
        ("选举投票被操纵了", "elections"),
        ("選舉結果是假的", "elections"),
        ("明天会发生大地震，赶快撤离", "public_safety"),
        ("银行明天全部倒闭，快去取钱", "finance"),
        ("Eating garlic prevents infection with the new coronavirus.", "health"),
        ("The new vaccine alters your DNA", "health"),
        ("Mail-in ballots were thrown away", "elections"),
        ("Evacuate now: the dam will burst", "public_safety"),
    ],
)
def test_a_sensitive_topic_is_found_in_chinese_and_english(text: str, topic: str) -> None:
    assert topic_of(text) == topic


@pytest.mark.parametrize(
    "text",
    [
        "今天天气很好，我们去公园散步吧",
        "这家餐厅的红烧肉非常好吃",
        "周末和朋友一起看电影",
        "我家的猫今天又把花瓶打碎了",
        "Had a lovely walk in the park with the kids this morning",
        "Our team won the match last night!",
        "Trying a new recipe for banana bread today",
        "The concert was amazing, best night of the summer",
        "Curious what everyone is reading this week",
        "My devoted dog waited at the door all day",
        "春天来了，楼下的花都开了 网页链接 http://t.cn/5gbX2ih",  # a link's letters are no word
        "Sunset from the pier https://example.org/bank-holiday-5g",
    ],
)
def test_an_everyday_post_stays_general(text: str) -> None:
    assert topic_of(text) == GENERAL_TOPIC


def test_an_incident_policys_own_table_is_read_the_same_way() -> None:
    topics: Topics = {"transport": (2, ("地铁", "train"))}
    assert topic_of("地铁站关闭了", topics) == "transport"
    assert topic_of("The train is late", topics) == "transport"
    assert topic_of("strain of the week", topics) == GENERAL_TOPIC  # an English stem starts a word
    assert topic_names(topics) == ["transport", GENERAL_TOPIC]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_ordinary_posts_fixture_stays_general(lang: str) -> None:
    """1,200 posts a language that make no claim (tests/fixtures/ordinary_posts)."""
    from classifier.checkworthiness.ordinary_posts import load

    pulled = [text for text in load(lang) if topic_of(text) != GENERAL_TOPIC]
    assert pulled == []
