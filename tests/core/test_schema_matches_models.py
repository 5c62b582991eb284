"""The schema the migrations build is the schema the models declare, on both backends.

The migrations are written with shorthands (`migrations/ddl.py`); this pins what they build
against the ORM, so an edit to a shorthand or a model without its migration shows here.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import runtime.domains  # noqa: F401 - registers every table on Base.metadata
from core.db import Base
from core.migrate import upgrade


def _expression_indexes() -> set[str]:
    """Indexes over an expression (e.g. `priority DESC`): SQLite reflects those as text that
    alembic cannot compare with the model's expression, so they always read as changed there."""
    return {
        str(index.name)
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if any(not isinstance(e, sa.Column) for e in index.expressions)
    }


def _index_name(diff: Any) -> str | None:
    if isinstance(diff, tuple) and diff[0] in ("add_index", "remove_index"):
        return str(diff[1].name)
    return None


def test_migrated_schema_has_every_table_column_type_and_index_of_the_models(
    empty_url: str,
) -> None:
    upgrade(empty_url)
    engine = sa.create_engine(empty_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(context, Base.metadata)
            inspector = sa.inspect(conn)
            built = {
                str(index["name"])
                for table in inspector.get_table_names()
                for index in inspector.get_indexes(table)
            }
    finally:
        engine.dispose()
    unreadable = _expression_indexes() if empty_url.startswith("sqlite") else set()
    assert unreadable <= built  # compared by name only where the expression cannot be read
    assert [d for d in diffs if _index_name(d) not in unreadable] == []
