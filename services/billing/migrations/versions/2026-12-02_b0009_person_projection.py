"""Billing learns residents' masked names (arrears lists show room and masked name, not ids).

Revision ID: b0009
Revises: b0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b0009"
down_revision = "b0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_projection",
        sa.Column("person_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("masked_name", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_person_projection")),
    )


def downgrade() -> None:
    op.drop_table("person_projection")
