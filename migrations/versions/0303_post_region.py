"""posts.region: where the platform says a post was made (incident spread counts regions)

Revision ID: 0303_post_region
Revises: 0302_post_author
Create Date: 2026-11-25 17:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations import ddl

revision: str = "0303_post_region"
down_revision: str | Sequence[str] | None = "0302_post_author"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.add_columns("posts", ddl.string("region", 16, nullable=True))


def downgrade() -> None:
    ddl.drop_columns("posts", "region")
