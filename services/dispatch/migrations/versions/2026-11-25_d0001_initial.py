"""Dispatch: plumbing tables and the compound projection.

Revision ID: d0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from shared.migrate import create_compound_projection_v1, create_plumbing_tables_v1

revision = "d0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_plumbing_tables_v1()
    create_compound_projection_v1()


def downgrade() -> None:
    from alembic import op

    for table in ("compound_projection", "idempotency_keys", "inbox", "outbox"):
        op.drop_table(table)
