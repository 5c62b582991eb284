"""Imports run downward: `core/` is the bottom layer and names no package of the project.

Every import is walked with `ast`, including those inside functions (a lazy import is still a
dependency). Issue 17 moves the other layers under the same rule one by one.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}


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


def test_core_imports_no_other_package_of_the_project() -> None:
    upward = sorted(
        f"{path.relative_to(ROOT)}:{line} imports {package}"
        for path in (ROOT / "core").rglob("*.py")
        for package, line in imported_packages(path)
        if package != "core"
    )
    assert upward == []
