"""statement_deliveries.next_attempt_at: a failed delivery waits out the retry policy's backoff
and the receiver's Retry-After; the sweep sends only rows that are due

Existing rows keep a null next_attempt_at: due at once, as before.

Revision ID: 0503_statement_delivery_backoff
Revises: 0502_statements
Create Date: 2026-11-29 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations import ddl

revision: str = "0503_statement_delivery_backoff"
down_revision: str | Sequence[str] | None = "0502_statements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.add_backoff("statement_deliveries", "status")


def downgrade() -> None:
    ddl.drop_backoff("statement_deliveries")
