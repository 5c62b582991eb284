"""Shorthands for the blocks Alembic's autogenerate writes out again in every revision: a column
(NOT NULL unless said), the string `id` key, foreign, primary and unique keys under the naming
convention's names, indexes named ix_<table>_..., columns added or dropped in one batch, the
retry backoff's next_attempt_at.

A revision records DDL that deployments have already run: each helper must go on emitting
exactly what it emits now. Change none of them; add a new one instead. This module lives
beside versions/, not in it, so Alembic does not read it as a revision.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import core.types

WHEN = core.types.UtcDateTime(timezone=True)


def column(name: str, type_: Any, *, nullable: bool = False, **kw: Any) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=nullable, **kw)


def string(name: str, length: int, *, nullable: bool = False, **kw: Any) -> sa.Column[Any]:
    return column(name, sa.String(length=length), nullable=nullable, **kw)


def utc(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return column(name, WHEN, nullable=nullable)


def id_column() -> sa.Column[Any]:
    """The 32-character string key most tables have."""
    return string("id", 32)


def foreign_key(
    table: str, name: str, target: str, *, ondelete: str | None = "CASCADE"
) -> sa.ForeignKeyConstraint:
    """`table.name` references `target.id`, under the naming convention's fk_ name."""
    return sa.ForeignKeyConstraint(
        [name], [f"{target}.id"], name=op.f(f"fk_{table}_{name}_{target}"), ondelete=ondelete
    )


def create_table(
    name: str,
    *items: sa.schema.SchemaItem,
    key: Sequence[str] = ("id",),
    unique: Sequence[str] = (),
    constraints: Sequence[sa.schema.SchemaItem] = (),
) -> None:
    """op.create_table in autogenerate's order: columns and foreign keys, the named primary
    key, one named unique constraint per column in `unique`, then `constraints`."""
    op.create_table(
        name,
        *items,
        sa.PrimaryKeyConstraint(*key, name=op.f(f"pk_{name}")),
        *(sa.UniqueConstraint(c, name=op.f(f"uq_{name}_{c}")) for c in unique),
        *constraints,
    )


def create_indexes(table: str, *columns: str) -> None:
    """One plain index per column, named ix_<table>_<column> by the naming convention."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{name}"), [name], unique=False)


def create_index(table: str, suffix: str, *columns: str, unique: bool = False) -> None:
    """An index named ix_<table>_<suffix> (over several columns, or unique)."""
    op.create_index(f"ix_{table}_{suffix}", table, list(columns), unique=unique)


def drop_table(table: str, *indexes: str) -> None:
    """Drops the indexes ix_<table>_<suffix>, in the order given, then the table."""
    if indexes:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for suffix in indexes:
                batch_op.drop_index(f"ix_{table}_{suffix}")
    op.drop_table(table)


def add_columns(table: str, *columns: sa.Column[Any]) -> None:
    with op.batch_alter_table(table) as batch:
        for added in columns:
            batch.add_column(added)


def drop_columns(table: str, *names: str, indexed: Sequence[str] = ()) -> None:
    """Drops the per-column indexes of `indexed` (see create_indexes), then the columns in the
    order given (the reverse of the one they were added in), in one batch."""
    with op.batch_alter_table(table) as batch:
        for name in indexed:
            batch.drop_index(batch.f(f"ix_{table}_{name}"))
        for name in names:
            batch.drop_column(name)


def add_backoff(table: str, after: str) -> None:
    """A nullable next_attempt_at (existing rows stay due at once) and the sweep's index
    ix_<table>_due on (`after`, next_attempt_at)."""
    with op.batch_alter_table(table) as batch:
        batch.add_column(utc("next_attempt_at", nullable=True))
        batch.create_index(f"ix_{table}_due", [after, "next_attempt_at"], unique=False)


def drop_backoff(table: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.drop_index(f"ix_{table}_due")
        batch.drop_column("next_attempt_at")
