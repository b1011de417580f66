"""notifications: the channels a compound allows

Revision ID: r0023_notify_compound_channels
Revises: r0022_notify_escalation
Create Date: 2026-12-02 11:00:00

The external channels a compound's admins allow for its people's messages (no row: all the
deployment has on). Issue 15.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0023_notify_compound_channels"
down_revision = "r0022_notify_escalation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_compound_channels",
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("channels", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_notification_compound_channels_compound_id_compounds")
        ),
        sa.PrimaryKeyConstraint("compound_id", name=op.f("pk_notification_compound_channels")),
    )


def downgrade() -> None:
    op.drop_table("notification_compound_channels")
