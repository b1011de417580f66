"""Households and their compounds: a resident may put a matter forward in their own compound only.

Revision ID: v0005
Revises: v0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0005"
down_revision = "v0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "household_projection",
        sa.Column("household_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_household_projection")),
    )
    with op.batch_alter_table("household_projection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_projection_compound_id"), ["compound_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("household_projection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_projection_compound_id"))
    op.drop_table("household_projection")
