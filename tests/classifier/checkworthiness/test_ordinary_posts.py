"""The shipped ordinary-posts corpus: generated deterministically, large, distinct, bilingual."""

from __future__ import annotations

import json

from classifier.checkworthiness.ordinary_posts import FIXTURE_DIR, GRAMMARS, generate, load


def test_the_shipped_files_are_exactly_what_the_generator_writes() -> None:
    for lang in ("en", "zh"):
        shipped = [
            json.loads(line)
            for line in (FIXTURE_DIR / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        assert shipped == generate(lang, len(shipped))


def test_each_language_has_over_a_thousand_distinct_posts_in_every_category() -> None:
    for lang, grammar in GRAMMARS.items():
        texts = load(lang)
        assert len(texts) >= 1000 and len(set(texts)) == len(texts)
        rows = generate(lang, len(texts))
        assert {r["category"] for r in rows} == {c for c, _ in grammar.templates}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in load("zh"))


def test_every_template_slot_has_fillers() -> None:
    import re

    for grammar in GRAMMARS.values():
        used = {m for _, t in grammar.templates for m in re.findall(r"\{(\w+)\}", t)}
        assert used <= set(grammar.slots)
