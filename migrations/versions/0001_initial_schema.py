"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 11:03:55.476707
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.helpers import (
    column,
    create_indexes,
    create_table,
    drop_table,
    foreign_key,
    id_column,
    string,
    utc,
)

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "api_keys",
        id_column(),
        string("name", 100),
        string("key_hash", 64),
        string("prefix", 12),
        column("scopes", sa.JSON()),
        column("rate_limit_per_minute", sa.Integer()),
        utc("created_at"),
        utc("revoked_at", nullable=True),
        unique=("key_hash",),
    )
    create_table(
        "audit_chains",
        string("name", 32),
        column("seq", sa.Integer()),
        string("head_hash", 64),
        key=("name",),
    )
    # The main chain's head exists from the start, so concurrent writers only ever lock it.
    op.bulk_insert(
        sa.table("audit_chains", sa.column("name"), sa.column("seq"), sa.column("head_hash")),
        [{"name": "main", "seq": 0, "head_hash": "0" * 64}],
    )
    create_table(
        "audit_events",
        string("id", 64),
        string("chain", 32),
        column("seq", sa.Integer()),
        utc("timestamp"),
        string("action", 64),
        string("actor_name", 128),
        string("actor_type", 16),
        string("post_id", 128, nullable=True),
        string("case_id", 32, nullable=True),
        string("incident_id", 32, nullable=True),
        column("is_drill", sa.Boolean()),
        column("document", sa.JSON()),
        string("hash", 64),
        utc("shipped_at", nullable=True),
    )
    create_indexes(
        "audit_events", "action", "actor_name", "case_id", "incident_id", "post_id", "timestamp"
    )
    op.create_index("ix_audit_events_chain_seq", "audit_events", ["chain", "seq"], unique=True)
    op.create_index(
        "ix_audit_events_unshipped", "audit_events", ["shipped_at", "seq"], unique=False
    )
    create_table(
        "posts",
        string("id", 128),
        column("text", sa.Text()),
        string("text_sha256", 64),
        string("author_id", 128, nullable=True),
        string("lang", 16, nullable=True),
        string("url", 2048, nullable=True),
        utc("created_at", nullable=True),
        column("views", sa.Integer()),
        column("shares", sa.Integer()),
        column("author_followers", sa.Integer()),
        string("status", 16),
        column("is_drill", sa.Boolean()),
        utc("received_at"),
        utc("updated_at"),
    )
    create_table(
        "statements",
        id_column(),
        string("kind", 32),
        string("channel", 32),
        string("status", 16),
        string("title", 300),
        column("body", sa.Text()),
        string("claim_id", 64, nullable=True),
        string("case_id", 32, nullable=True),
        string("created_by", 64),
        string("approved_by", 64, nullable=True),
        utc("created_at"),
        utc("updated_at"),
    )
    create_indexes("statements", "claim_id")
    create_table(
        "users",
        id_column(),
        string("username", 64),
        string("password_hash", 200),
        string("role", 32),
        column("active", sa.Boolean()),
        column("failed_logins", sa.Integer()),
        utc("locked_until", nullable=True),
        utc("created_at"),
        unique=("username",),
    )
    create_table(
        "review_cases",
        id_column(),
        string("post_id", 128),
        string("band", 16),
        column("priority", sa.Float()),
        string("status", 16),
        string("policy_version", 32),
        utc("due_at"),
        string("claimed_by", 64, nullable=True),
        utc("lease_expires_at", nullable=True),
        utc("created_at"),
        utc("updated_at"),
        foreign_key("review_cases", "post_id", "posts"),
    )
    create_indexes("review_cases", "post_id")
    op.create_index("ix_review_cases_queue", "review_cases", ["status", "priority"], unique=False)
    create_table(
        "scores",
        id_column(),
        string("post_id", 128),
        string("text_sha256", 64),
        column("score", sa.Float()),
        string("band", 16),
        string("model_version", 100),
        column("reasons", sa.JSON()),
        column("flags", sa.JSON()),
        utc("created_at"),
        foreign_key("scores", "post_id", "posts"),
    )
    create_indexes("scores", "post_id")
    create_table(
        "statement_versions",
        id_column(),
        string("statement_id", 32),
        column("number", sa.Integer()),
        string("title", 300),
        column("body", sa.Text()),
        string("edited_by", 64),
        utc("created_at"),
        foreign_key("statement_versions", "statement_id", "statements"),
    )
    create_table(
        "decisions",
        id_column(),
        string("case_id", 32, nullable=True),
        string("post_id", 128),
        string("decided_by", 64),
        string("decider_type", 16),
        string("reason_code", 32),
        string("action", 32),
        column("note", sa.Text()),
        column("territories", sa.JSON()),
        utc("created_at"),
        foreign_key("decisions", "case_id", "review_cases", ondelete=None),
        foreign_key("decisions", "post_id", "posts"),
    )
    create_indexes("decisions", "post_id")
    create_table(
        "enforcement_actions",
        id_column(),
        string("decision_id", 32, nullable=True),
        string("post_id", 128),
        string("action", 32),
        column("params", sa.JSON()),
        string("status", 16),
        string("idempotency_key", 64),
        column("attempts", sa.Integer()),
        column("last_error", sa.Text(), nullable=True),
        string("platform_reference", 200, nullable=True),
        utc("created_at"),
        utc("confirmed_at", nullable=True),
        foreign_key("enforcement_actions", "decision_id", "decisions", ondelete=None),
        foreign_key("enforcement_actions", "post_id", "posts"),
        unique=("idempotency_key",),
    )
    create_indexes("enforcement_actions", "post_id", "status")


def downgrade() -> None:
    drop_table("enforcement_actions", "status", "post_id")
    drop_table("decisions", "post_id")
    op.drop_table("statement_versions")
    drop_table("scores", "post_id")
    drop_table("review_cases", "post_id", named=["ix_review_cases_queue"])
    op.drop_table("users")
    drop_table("statements", "claim_id")
    op.drop_table("posts")
    drop_table(
        "audit_events",
        "timestamp",
        "post_id",
        "incident_id",
        "case_id",
        "actor_name",
        "action",
        named=["ix_audit_events_unshipped", "ix_audit_events_chain_seq"],
    )
    op.drop_table("audit_chains")
    op.drop_table("api_keys")
