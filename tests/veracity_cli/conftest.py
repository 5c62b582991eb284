"""`main()` in this process on a fresh embedded database (a subprocess per call costs ~30 s)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import get_settings


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """`main()` in this process (a subprocess per call costs ~30 s here) on a fresh SQLite."""
    for name in ("REDIS__URL", "ELASTICSEARCH__HOSTS", "PLATFORM__TAKEDOWN_URL"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "v.db"
    monkeypatch.setenv("DATABASE__URL", f"sqlite:///{db}")
    get_settings.cache_clear()
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield db
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
    root.setLevel(level)
    get_settings.cache_clear()
