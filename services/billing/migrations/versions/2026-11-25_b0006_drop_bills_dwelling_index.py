"""Billing: drop ix_bills_dwelling; the unique key now starts with dwelling_id and serves it.

Revision ID: b0006
Revises: b0005
Create Date: 2026-11-25 04:07:19.821412
"""

from __future__ import annotations

from alembic import op

revision = "b0006"
down_revision = "b0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bills_dwelling"))


def downgrade() -> None:
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bills_dwelling"), ["dwelling_id", "status"], unique=False)
