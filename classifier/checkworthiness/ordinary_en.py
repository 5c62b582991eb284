"""English grammar for the generated ordinary-posts corpus: everyday posts that make no claim
worth checking (greetings, food, weather, sport chat, pets, plans, small-business notices).

The grammar is data, in `ordinary_en.json` (see `classifier.grammar`): each template is a
category and a pattern whose `{slot}`s take random entries of its slots; `trimmings` holds
the decorations a post may end with.
Personal facts ("our bakery opens at 8am") are included on purpose: they are factual but not
worth checking, the case a check-worthiness model most easily gets wrong.
"""

from __future__ import annotations

from pathlib import Path

from classifier.grammar import Grammar

GRAMMAR = Grammar.load(Path(__file__).with_suffix(".json"))
