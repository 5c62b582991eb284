"""Template grammars for generated posts, kept as JSON data next to the module that uses them.

A grammar file holds `templates` (`[category, pattern]` pairs; `{slot}` in a pattern takes a
random entry of `slots[slot]`) and `trimmings` (further word lists a generator adds around the
text: decorations, emoji, handles). Order matters: generation is seeded, so the same file gives
the same posts.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from classifier.io import read_json

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Grammar:
    """One grammar file, as tuples: what `fill` and a generator's trimmings pick from."""

    templates: tuple[tuple[str, str], ...]
    slots: dict[str, tuple[str, ...]]
    trimmings: dict[str, tuple[str, ...]]

    @classmethod
    def load(cls, path: Path) -> Grammar:
        raw = read_json(path)
        return cls(
            templates=tuple((category, pattern) for category, pattern in raw["templates"]),
            slots={name: tuple(words) for name, words in raw["slots"].items()},
            trimmings={name: tuple(words) for name, words in raw["trimmings"].items()},
        )


def fill(template: str, slots: dict[str, tuple[str, ...]], rng: random.Random) -> str:
    """`template` with each `{slot}` replaced by a random entry of `slots[slot]`."""
    return _SLOT.sub(lambda m: rng.choice(slots[m.group(1)]), template)
