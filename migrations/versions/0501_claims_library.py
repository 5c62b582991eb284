"""claim library: claims and the posts that repeat them

Revision ID: 0501_claims
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.helpers import (
    column,
    create_indexes,
    create_table,
    foreign_key,
    id_column,
    string,
    utc,
)

revision: str = "0501_claims"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("claims",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "claims",
        id_column(),
        column("text", sa.Text()),
        string("verdict", 16),
        string("source_url", 2048, nullable=True),
        string("source_name", 200, nullable=True),
        column("explanation", sa.Text()),
        string("origin", 32),
        string("origin_ref", 128, nullable=True),
        string("created_by", 64),
        utc("created_at"),
        constraints=[sa.UniqueConstraint("origin", "origin_ref", name="uq_claims_origin_ref")],
    )
    create_indexes("claims", "verdict")
    create_table(
        "claim_posts",
        id_column(),
        string("claim_id", 32),
        string("post_id", 128),
        string("linked_by", 64),
        column("similarity", sa.Float(), nullable=True),
        string("decision_id", 32, nullable=True),
        utc("created_at"),
        foreign_key("claim_posts", "claim_id", "claims"),
        foreign_key("claim_posts", "post_id", "posts"),
        constraints=[sa.UniqueConstraint("claim_id", "post_id", name="uq_claim_posts_claim_post")],
    )
    op.create_index("ix_claim_posts_post", "claim_posts", ["post_id"], unique=False)


def downgrade() -> None:
    op.drop_table("claim_posts")
    op.drop_table("claims")
