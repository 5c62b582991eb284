"""claim library: claims and the posts that repeat them

Revision ID: 0501_claims
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import ddl

revision: str = "0501_claims"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("claims",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.create_table(
        "claims",
        ddl.id_column(),
        ddl.column("text", sa.Text()),
        ddl.string("verdict", 16),
        ddl.string("source_url", 2048, nullable=True),
        ddl.string("source_name", 200, nullable=True),
        ddl.column("explanation", sa.Text()),
        ddl.string("origin", 32),
        ddl.string("origin_ref", 128, nullable=True),
        ddl.string("created_by", 64),
        ddl.utc("created_at"),
        constraints=[sa.UniqueConstraint("origin", "origin_ref", name="uq_claims_origin_ref")],
    )
    ddl.create_indexes("claims", "verdict")
    ddl.create_table(
        "claim_posts",
        ddl.id_column(),
        ddl.string("claim_id", 32),
        ddl.string("post_id", 128),
        ddl.string("linked_by", 64),
        ddl.column("similarity", sa.Float(), nullable=True),
        ddl.string("decision_id", 32, nullable=True),
        ddl.utc("created_at"),
        ddl.foreign_key("claim_posts", "claim_id", "claims"),
        ddl.foreign_key("claim_posts", "post_id", "posts"),
        constraints=[sa.UniqueConstraint("claim_id", "post_id", name="uq_claim_posts_claim_post")],
    )
    ddl.create_index("claim_posts", "post", "post_id")


def downgrade() -> None:
    op.drop_table("claim_posts")
    op.drop_table("claims")
