"""notifications: escalation of unopened urgent offers

Revision ID: r0022_notify_escalation
Revises: r0021_notify_live_feed
Create Date: 2026-12-02 10:55:00

When an open app's live stream first showed a message (opened, for escalation's purposes), and
which deliveries are escalations sent only if the message is still unopened. Issue 15.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0022_notify_escalation"
down_revision = "r0021_notify_live_feed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shown_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("notification_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unless_opened", sa.Boolean(), server_default=sa.text("false"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("notification_deliveries", schema=None) as batch_op:
        batch_op.drop_column("unless_opened")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("shown_at")
