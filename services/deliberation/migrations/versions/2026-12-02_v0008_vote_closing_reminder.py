"""vote closing reminder

Revision ID: v0008
Revises: v0007
Create Date: 2026-12-02

The owners hear once that an open vote closes within a day (issue 15): the vote clock marks
the vote when it reminds them, so a restart or a second replica does not remind them again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0008"
down_revision = "v0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("votes") as batch:
        batch.add_column(sa.Column("closing_reminded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("votes") as batch:
        batch.drop_column("closing_reminded_at")
