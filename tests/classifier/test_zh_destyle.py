"""Chinese style removal (classifier/zh/destyle.py): the Weibo register goes, the words stay."""

from __future__ import annotations

import pytest

from classifier.zh.destyle import destyle_zh


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a news account's headline brackets, link and emoji code
        (
            "【市政府通报】道路维修工程已完工 http://t.cn/RUnzfKG 今日起恢复通行[微笑]",
            "市政府通报 道路维修工程已完工 今日起恢复通行",
        ),
        # a repost chain, shouting and emoji around a rumour
        (
            "转发微博//@小鱼儿:紧急扩散！！！喝盐水可以预防新冠病毒😭😭 网页链接",
            "紧急扩散！喝盐水可以预防新冠病毒",
        ),
        # a reply, a Weibo #topic# (its words kept) and an ellipsis run
        ("回复@阿星_:#乐享时光#科学家说了。。。。真的吗？？", "乐享时光 科学家说了…真的吗？"),
        # mentions that end at punctuation or a space go; the text after them stays
        ("@人民日报 ：今天发布了新规定 @央视新闻", "今天发布了新规定"),
        # a bare t.cn link inside Chinese text, and an https link with a path
        ("详见t.cn/A6xYz好的，或https://www.example.cn/a/b.htm。完", "详见 好的，或 。完"),
    ],
)
def test_destyle_removes_the_register_and_keeps_the_words(text: str, expected: str) -> None:
    assert destyle_zh(text) == expected


def test_a_mention_run_on_into_the_text_loses_only_its_at_sign() -> None:
    # No delimiter within a nickname's width: the name cannot be told from the words after it.
    text = "网友@黎启lee晒出三星的ProjcetV可折叠手机 据说明年上市"
    assert destyle_zh(text) == "网友 黎启lee晒出三星的ProjcetV可折叠手机 据说明年上市"


def test_plain_text_numbers_and_traditional_characters_are_untouched() -> None:
    for text in ("今天天气很好", "價格上漲了30%，明年1月起執行", "WHO说：病毒不会通过蚊子传播"):
        assert destyle_zh(text) == text
