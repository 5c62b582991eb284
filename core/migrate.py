"""Running Alembic migrations programmatically (for the CLI, the demo and tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from core.db import ensure_sqlite_dir
from core.settings import REPO_ROOT


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)
