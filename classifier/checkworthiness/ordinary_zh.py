"""Chinese (simplified) grammar for the generated ordinary-posts corpus; see `ordinary_en`;
the grammar is data, in `ordinary_zh.json`.

Written as everyday Weibo/WeChat-moments style posts: greetings, food, weather, sport chat,
pets, plans, small-shop notices. None states a public fact worth checking.
"""

from __future__ import annotations

from pathlib import Path

from classifier.grammar import Grammar

GRAMMAR = Grammar.load(Path(__file__).with_suffix(".json"))
