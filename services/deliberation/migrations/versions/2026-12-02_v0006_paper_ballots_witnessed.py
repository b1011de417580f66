"""paper ballots wait for their witness

Revision ID: v0006
Revises: v0005
Create Date: 2026-12-02

A paper ballot is entered by one committee member and counts only once the witness it names
confirms it with their own login; `pending` marks it until then.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0006"
down_revision = "v0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        # Paper ballots entered before this revision counted at once: they stay counted.
        batch_op.add_column(sa.Column("pending", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("witnessed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.alter_column("pending", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_column("witnessed_at")
        batch_op.drop_column("pending")
