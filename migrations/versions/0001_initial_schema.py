"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 11:03:55.476707
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import ddl

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.create_table(
        "api_keys",
        ddl.id_column(),
        ddl.string("name", 100),
        ddl.string("key_hash", 64),
        ddl.string("prefix", 12),
        ddl.column("scopes", sa.JSON()),
        ddl.column("rate_limit_per_minute", sa.Integer()),
        ddl.utc("created_at"),
        ddl.utc("revoked_at", nullable=True),
        unique=("key_hash",),
    )
    ddl.create_table(
        "audit_chains",
        ddl.string("name", 32),
        ddl.column("seq", sa.Integer()),
        ddl.string("head_hash", 64),
        key=("name",),
    )
    # The main chain's head exists from the start, so concurrent writers only ever lock it.
    op.bulk_insert(
        sa.table("audit_chains", sa.column("name"), sa.column("seq"), sa.column("head_hash")),
        [{"name": "main", "seq": 0, "head_hash": "0" * 64}],
    )
    ddl.create_table(
        "audit_events",
        ddl.string("id", 64),
        ddl.string("chain", 32),
        ddl.column("seq", sa.Integer()),
        ddl.utc("timestamp"),
        ddl.string("action", 64),
        ddl.string("actor_name", 128),
        ddl.string("actor_type", 16),
        ddl.string("post_id", 128, nullable=True),
        ddl.string("case_id", 32, nullable=True),
        ddl.string("incident_id", 32, nullable=True),
        ddl.column("is_drill", sa.Boolean()),
        ddl.column("document", sa.JSON()),
        ddl.string("hash", 64),
        ddl.utc("shipped_at", nullable=True),
    )
    ddl.create_indexes("audit_events", "action", "actor_name", "case_id")
    ddl.create_index("audit_events", "chain_seq", "chain", "seq", unique=True)
    ddl.create_indexes("audit_events", "incident_id", "post_id", "timestamp")
    ddl.create_index("audit_events", "unshipped", "shipped_at", "seq")
    ddl.create_table(
        "posts",
        ddl.string("id", 128),
        ddl.column("text", sa.Text()),
        ddl.string("text_sha256", 64),
        ddl.string("author_id", 128, nullable=True),
        ddl.string("lang", 16, nullable=True),
        ddl.string("url", 2048, nullable=True),
        ddl.utc("created_at", nullable=True),
        ddl.column("views", sa.Integer()),
        ddl.column("shares", sa.Integer()),
        ddl.column("author_followers", sa.Integer()),
        ddl.string("status", 16),
        ddl.column("is_drill", sa.Boolean()),
        ddl.utc("received_at"),
        ddl.utc("updated_at"),
    )
    ddl.create_table(
        "statements",
        ddl.id_column(),
        ddl.string("kind", 32),
        ddl.string("channel", 32),
        ddl.string("status", 16),
        ddl.string("title", 300),
        ddl.column("body", sa.Text()),
        ddl.string("claim_id", 64, nullable=True),
        ddl.string("case_id", 32, nullable=True),
        ddl.string("created_by", 64),
        ddl.string("approved_by", 64, nullable=True),
        ddl.utc("created_at"),
        ddl.utc("updated_at"),
    )
    ddl.create_indexes("statements", "claim_id")
    ddl.create_table(
        "users",
        ddl.id_column(),
        ddl.string("username", 64),
        ddl.string("password_hash", 200),
        ddl.string("role", 32),
        ddl.column("active", sa.Boolean()),
        ddl.column("failed_logins", sa.Integer()),
        ddl.utc("locked_until", nullable=True),
        ddl.utc("created_at"),
        unique=("username",),
    )
    ddl.create_table(
        "review_cases",
        ddl.id_column(),
        ddl.string("post_id", 128),
        ddl.string("band", 16),
        ddl.column("priority", sa.Float()),
        ddl.string("status", 16),
        ddl.string("policy_version", 32),
        ddl.utc("due_at"),
        ddl.string("claimed_by", 64, nullable=True),
        ddl.utc("lease_expires_at", nullable=True),
        ddl.utc("created_at"),
        ddl.utc("updated_at"),
        ddl.foreign_key("review_cases", "post_id", "posts"),
    )
    ddl.create_indexes("review_cases", "post_id")
    ddl.create_index("review_cases", "queue", "status", "priority")
    ddl.create_table(
        "scores",
        ddl.id_column(),
        ddl.string("post_id", 128),
        ddl.string("text_sha256", 64),
        ddl.column("score", sa.Float()),
        ddl.string("band", 16),
        ddl.string("model_version", 100),
        ddl.column("reasons", sa.JSON()),
        ddl.column("flags", sa.JSON()),
        ddl.utc("created_at"),
        ddl.foreign_key("scores", "post_id", "posts"),
    )
    ddl.create_indexes("scores", "post_id")
    ddl.create_table(
        "statement_versions",
        ddl.id_column(),
        ddl.string("statement_id", 32),
        ddl.column("number", sa.Integer()),
        ddl.string("title", 300),
        ddl.column("body", sa.Text()),
        ddl.string("edited_by", 64),
        ddl.utc("created_at"),
        ddl.foreign_key("statement_versions", "statement_id", "statements"),
    )
    ddl.create_table(
        "decisions",
        ddl.id_column(),
        ddl.string("case_id", 32, nullable=True),
        ddl.string("post_id", 128),
        ddl.string("decided_by", 64),
        ddl.string("decider_type", 16),
        ddl.string("reason_code", 32),
        ddl.string("action", 32),
        ddl.column("note", sa.Text()),
        ddl.column("territories", sa.JSON()),
        ddl.utc("created_at"),
        ddl.foreign_key("decisions", "case_id", "review_cases", ondelete=None),
        ddl.foreign_key("decisions", "post_id", "posts"),
    )
    ddl.create_indexes("decisions", "post_id")
    ddl.create_table(
        "enforcement_actions",
        ddl.id_column(),
        ddl.string("decision_id", 32, nullable=True),
        ddl.string("post_id", 128),
        ddl.string("action", 32),
        ddl.column("params", sa.JSON()),
        ddl.string("status", 16),
        ddl.string("idempotency_key", 64),
        ddl.column("attempts", sa.Integer()),
        ddl.column("last_error", sa.Text(), nullable=True),
        ddl.string("platform_reference", 200, nullable=True),
        ddl.utc("created_at"),
        ddl.utc("confirmed_at", nullable=True),
        ddl.foreign_key("enforcement_actions", "decision_id", "decisions", ondelete=None),
        ddl.foreign_key("enforcement_actions", "post_id", "posts"),
        unique=("idempotency_key",),
    )
    ddl.create_indexes("enforcement_actions", "post_id", "status")


def downgrade() -> None:
    ddl.drop_table("enforcement_actions", "status", "post_id")
    ddl.drop_table("decisions", "post_id")
    op.drop_table("statement_versions")
    ddl.drop_table("scores", "post_id")
    ddl.drop_table("review_cases", "queue", "post_id")
    op.drop_table("users")
    ddl.drop_table("statements", "claim_id")
    op.drop_table("posts")
    ddl.drop_table(
        "audit_events",
        "unshipped",
        "timestamp",
        "post_id",
        "incident_id",
        "chain_seq",
        "case_id",
        "actor_name",
        "action",
    )
    op.drop_table("audit_chains")
    op.drop_table("api_keys")
