"""The ordinary-posts corpus: everyday posts that make no claim, generated from small grammars.

`python -m classifier.checkworthiness.ordinary_posts` rewrites
`tests/fixtures/ordinary_posts/{en,zh}.jsonl` deterministically (same seed, same files). The
corpus is a sanity measure, never training or tuning data: a triage model should send almost
none of these posts to review. It is generated, not collected, so it ships with the repository
under the project's own licence; its limits (template regularity) are in the folder's README.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

from classifier.checkworthiness import ordinary_en, ordinary_zh
from classifier.grammar import Grammar, fill
from core.settings import REPO_ROOT

FIXTURE_DIR = REPO_ROOT / "tests" / "fixtures" / "ordinary_posts"
GRAMMARS: dict[str, Grammar] = {"en": ordinary_en.GRAMMAR, "zh": ordinary_zh.GRAMMAR}


def _capitalise(text: str, rng: random.Random) -> str:
    """People write in every case; keep some lower-case, capitalise the first letter of others."""
    if rng.random() < 0.3:
        return text.lower()
    return text[:1].upper() + text[1:]


def generate(lang: str, n: int, seed: int = 2026) -> list[dict[str, str]]:
    """`n` distinct posts (`id`, `lang`, `category`, `text`), round-robin over the templates."""
    grammar = GRAMMARS[lang]
    rng = random.Random(f"{seed}:{lang}")
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    for category, template in _cycle(grammar.templates, rng, n * 50):
        text = fill(template, grammar.slots, rng) + rng.choice(grammar.trimmings["decorations"])
        if lang == "en":
            text = _capitalise(text, rng)
        if text in seen:
            continue
        seen.add(text)
        out.append(
            {"id": f"{lang}-{len(out) + 1:05d}", "lang": lang, "category": category, "text": text}
        )
        if len(out) == n:
            break
    return out


def _cycle(
    templates: tuple[tuple[str, str], ...], rng: random.Random, limit: int
) -> Iterator[tuple[str, str]]:
    order = list(templates)
    for i in range(limit):
        if i % len(order) == 0:
            rng.shuffle(order)
        yield order[i % len(order)]


def load(lang: str, directory: Path = FIXTURE_DIR) -> list[str]:
    """The texts of one language's shipped corpus."""
    path = directory / f"{lang}.jsonl"
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]


def write(directory: Path = FIXTURE_DIR, n: int = 1200) -> dict[str, int]:
    directory.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for lang in GRAMMARS:
        rows = generate(lang, n)
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        (directory / f"{lang}.jsonl").write_text(lines, encoding="utf-8")
        counts[lang] = len(rows)
    return counts


if __name__ == "__main__":
    print(write())
