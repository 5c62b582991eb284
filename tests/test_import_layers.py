"""Imports run downward only, so no package is part of an import cycle.

Every import is walked with `ast`, including those inside functions and under TYPE_CHECKING (a
lazy import is still a dependency). A package may import its own layer's package and those
below it; a domain that must react to a higher one listens (`pipeline.hooks`,
`statements.hooks`) and the wiring (`runtime/`) connects them.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
# Bottom to top: shared pieces, the models, the log and the people, the domains (each may use
# those before it), the edges that mount them (the platform API, the review UI), the wiring,
# the schema's migrations, the console, the benchmarks.
LAYERS = (
    "core",
    "classifier",
    "audit",
    "accounts",
    "claims",
    "pipeline",
    "statements",
    "incidents",
    "webhooks",
    "api",
    "review_ui",
    "runtime",
    "migrations",  # env.py loads every domain's models through runtime.domains
    "veracity_cli",
    "bench",  # measures any of the above
)


def imported_packages(source: Path) -> set[tuple[str, int]]:
    """(project package, line) for every absolute import in `source`."""
    found: set[tuple[str, int]] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        found |= {(n.split(".")[0], node.lineno) for n in names if n.split(".")[0] in PACKAGES}
    return found


def test_the_walk_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\ndef f():\n    from pipeline.models import Post\n")
    assert imported_packages(sample) == {("pipeline", 4)}


def test_every_package_has_a_layer() -> None:
    assert sorted(PACKAGES) == sorted(LAYERS)


def test_no_package_imports_a_package_above_it() -> None:
    rank = {package: i for i, package in enumerate(LAYERS)}
    upward = sorted(
        f"{path.relative_to(ROOT)}:{line} imports {package}"
        for layer in LAYERS
        for path in (ROOT / layer).rglob("*.py")
        for package, line in imported_packages(path)
        if rank[package] > rank[layer]
    )
    assert upward == []
