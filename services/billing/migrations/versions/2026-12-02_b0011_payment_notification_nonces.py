"""Nonces of verified WeChat Pay notifications (replays refused).

Revision ID: b0011
Revises: b0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b0011"
down_revision = "b0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_notification_nonces",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_notification_nonces")),
        sa.UniqueConstraint("channel", "nonce", name=op.f("uq_payment_notification_nonces_channel_nonce")),
    )
    op.create_index(op.f("ix_payment_notification_nonces_received_at"), "payment_notification_nonces", ["received_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_notification_nonces_received_at"), table_name="payment_notification_nonces")
    op.drop_table("payment_notification_nonces")
