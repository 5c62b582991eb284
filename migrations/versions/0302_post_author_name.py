"""posts.author_name: the display name the claim matcher puts in front of a post's text

Revision ID: 0302_post_author
Revises: 0301_pipeline
Create Date: 2026-11-25 15:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations import ddl

revision: str = "0302_post_author"
down_revision: str | Sequence[str] | None = "0301_pipeline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.add_columns("posts", ddl.string("author_name", 200, nullable=True))


def downgrade() -> None:
    ddl.drop_columns("posts", "author_name")
