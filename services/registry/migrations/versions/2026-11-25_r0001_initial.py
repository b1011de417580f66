"""Registry: plumbing tables and compounds.

Revision ID: r0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.migrate import create_plumbing_tables_v1

revision = "r0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_plumbing_tables_v1()
    op.create_table(
        "compounds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("community_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("management_model", sa.String(30), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_compounds"),
        sa.UniqueConstraint("community_id", "name", name="uq_compounds_community_id_name"),
    )
    op.create_index("ix_compounds_community_id", "compounds", ["community_id"])


def downgrade() -> None:
    op.drop_table("compounds")
    op.drop_table("idempotency_keys")
    op.drop_table("inbox")
    op.drop_table("outbox")
