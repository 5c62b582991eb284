"""webhook_subscriptions.owner_key_id: the API key that registered it; only it sees and changes it

Existing rows keep a null owner: visible to admins only (no key may take them over).

Revision ID: 0403_webhook_owner
Revises: 0402_webhook_rotation
Create Date: 2026-11-29 15:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0403_webhook_owner"
down_revision: str | Sequence[str] | None = "0402_webhook_rotation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.add_column(sa.Column("owner_key_id", sa.String(length=32), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_webhook_subscriptions_owner_key_id_api_keys"),
            "api_keys",
            ["owner_key_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(
            batch.f("ix_webhook_subscriptions_owner_key_id"), ["owner_key_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.drop_index(batch.f("ix_webhook_subscriptions_owner_key_id"))
        batch.drop_constraint(
            batch.f("fk_webhook_subscriptions_owner_key_id_api_keys"), type_="foreignkey"
        )
        batch.drop_column("owner_key_id")
