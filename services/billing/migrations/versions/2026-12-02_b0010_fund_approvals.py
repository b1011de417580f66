"""Four eyes on 433 distributions and emergency maintenance-fund withdrawals.

Revision ID: b0010
Revises: b0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b0010"
down_revision = "b0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fund_approvals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("amount_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("building_ids", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_for", sa.String(length=60), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_approvals")),
    )
    op.create_index(op.f("ix_fund_approvals_compound_id"), "fund_approvals", ["compound_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_fund_approvals_compound_id"), table_name="fund_approvals")
    op.drop_table("fund_approvals")
