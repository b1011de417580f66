"""Open311 client keys (hashed), and the coordinates a GeoReport request brings.

Revision ID: d0007
Revises: d0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0007"
down_revision = "d0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "open311_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("place_kind", sa.String(length=20), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("issued_by_person_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_person_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_open311_keys_prefix")),
    )
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("lat", sa.Float(), nullable=True))
        batch.add_column(sa.Column("long", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("long")
        batch.drop_column("lat")
    op.drop_table("open311_keys")
