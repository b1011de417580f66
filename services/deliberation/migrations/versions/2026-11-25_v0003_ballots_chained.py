"""ballots chained

Revision ID: v0003
Revises: v0002
Create Date: 2026-11-25 03:48:16

Online ballots no longer append to the audit chain inside the voter's request: a ballot is
written at once and the chainer appends its entry; `chained` says whether it has been.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0003"
down_revision = "v0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        # Ballots written before this revision were chained in their own request.
        batch_op.add_column(sa.Column("chained", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.create_index(batch_op.f("ix_ballots_chained"), ["chained"], unique=False)
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.alter_column("chained", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ballots_chained"))
        batch_op.drop_column("chained")
