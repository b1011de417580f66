"""notifications: WeChat subscribe messages

Revision ID: r0024_notify_wechat
Revises: r0023_notify_compound_channels
Create Date: 2026-12-02 11:10:00

A person's openid in the platform's mini program (encrypted like the mobile number), and the
one-time subscriptions they granted per template (each 允许 allows one message). Issue 15.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0024_notify_wechat"
down_revision = "r0023_notify_compound_channels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_wechat_bindings",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("openid_enc", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_notification_wechat_bindings_person_id_people")
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_notification_wechat_bindings")),
    )
    op.create_table(
        "notification_wechat_consents",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.String(length=100), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_notification_wechat_consents_person_id_people")
        ),
        sa.PrimaryKeyConstraint("person_id", "template_id", name=op.f("pk_notification_wechat_consents")),
    )


def downgrade() -> None:
    op.drop_table("notification_wechat_consents")
    op.drop_table("notification_wechat_bindings")
