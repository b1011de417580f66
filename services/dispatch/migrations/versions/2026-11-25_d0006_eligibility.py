"""Who may take work in a compound: members' ledgers in the projection, and each compound's
eligibility rule (which ledgers take orders and claim wishes).

Rows projected before this revision read as in-service until the registry next announces the
member (the old behaviour: they needed a check-in).

Revision ID: d0006
Revises: d0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0006"
down_revision = "d0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("party_members") as batch:
        batch.add_column(sa.Column("ledger", sa.String(length=20), server_default="in_service", nullable=False))
    op.create_table(
        "eligibility_rules",
        sa.Column("compound_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ledgers", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("compound_id", name=op.f("pk_eligibility_rules")),
    )


def downgrade() -> None:
    op.drop_table("eligibility_rules")
    with op.batch_alter_table("party_members") as batch:
        batch.drop_column("ledger")
