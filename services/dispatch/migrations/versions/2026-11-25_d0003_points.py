"""Dispatch: points rules per compound, the points ledger and the published red and black lists.

Revision ID: d0003
Revises: d0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0003"
down_revision = "d0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "points_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("party_member_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_entries")),
        sa.UniqueConstraint(
            "order_id",
            "party_member_id",
            "reason",
            "ref",
            name=op.f("uq_points_entries_order_id_party_member_id_reason_ref"),
        ),
    )
    with op.batch_alter_table("points_entries", schema=None) as batch_op:
        batch_op.create_index("ix_points_entries_compound_period", ["compound_id", "period"], unique=False)
        batch_op.create_index(batch_op.f("ix_points_entries_party_member_id"), ["party_member_id"], unique=False)

    op.create_table(
        "points_rules",
        sa.Column("compound_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("compound_id", name=op.f("pk_points_rules")),
    )
    op.create_table(
        "published_lists",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("honor_roll", sa.JSON(), nullable=False),
        sa.Column("warning_list", sa.JSON(), nullable=False),
        sa.Column("published_by_person_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_lists")),
        sa.UniqueConstraint("compound_id", "period", name=op.f("uq_published_lists_compound_id_period")),
    )


def downgrade() -> None:
    op.drop_table("published_lists")
    op.drop_table("points_rules")
    with op.batch_alter_table("points_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_entries_party_member_id"))
        batch_op.drop_index("ix_points_entries_compound_period")

    op.drop_table("points_entries")
