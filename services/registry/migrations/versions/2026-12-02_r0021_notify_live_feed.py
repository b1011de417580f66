"""notifications: live feed numbers

Revision ID: r0021_notify_live_feed
Revises: r0020
Create Date: 2026-12-02 10:50:00

Each person's messages get a number in their live feed (commit order, from a per-person counter
row), so the inbox's SSE stream resumes with Last-Event-ID exactly. Messages already there are
numbered in id order. Issue 15.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0021_notify_live_feed"
down_revision = "r0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_counters",
        sa.Column("person_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_notification_counters")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE notifications SET seq = (SELECT count(*) FROM notifications AS earlier "
        "WHERE earlier.person_id = notifications.person_id AND earlier.id <= notifications.id)"
    )
    op.execute(
        "INSERT INTO notification_counters (person_id, last_seq) "
        "SELECT person_id, max(seq) FROM notifications GROUP BY person_id"
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_notifications_person_id_seq"), ["person_id", "seq"])


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_notifications_person_id_seq"), type_="unique")
        batch_op.drop_column("seq")
    op.drop_table("notification_counters")
