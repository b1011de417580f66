"""developer representatives

Revision ID: v0007
Revises: v0006
Create Date: 2026-12-02

The developer's unsold dwellings vote as one person with no registry identity: a representative
signs in with their own account and votes for it, online or by proxy.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0007"
down_revision = "v0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "developer_representatives",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("developer_name", sa.String(length=200), nullable=False),
        sa.Column("document_ref", sa.String(length=200), nullable=False),
        sa.Column("appointed_by_person_id", sa.Integer(), nullable=False),
        sa.Column("appointed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_developer_representatives")),
    )
    with op.batch_alter_table("developer_representatives", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_developer_representatives_compound_id"), ["compound_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("developer_representatives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_developer_representatives_compound_id"))
    op.drop_table("developer_representatives")
