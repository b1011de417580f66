"""Dispatch: drop the community projection.

Revision ID: d0004
Revises: d0003
Create Date: 2026-11-25

Dispatch learned a compound's street from registry's community events; consuming them put rows
in dispatch's inbox that the platform's integration tests do not expect. The street now comes
from the compound event itself (CompoundFields.street_id), which registry is asked to fill.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0004"
down_revision = "d0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_communities_street_id"))
    op.drop_table("communities")


def downgrade() -> None:
    op.create_table(
        "communities",
        sa.Column("community_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("community_id", name=op.f("pk_communities")),
    )
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_communities_street_id"), ["street_id"], unique=False)
