"""Shared spaces (共享空间), their free and paid uses and bookings; on PostgreSQL an exclusion
constraint (btree_gist) keeps two active bookings of one space from overlapping.

Revision ID: practices_c01
Revises: b0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "practices_c01"
down_revision = "b0011"
branch_labels = None
depends_on = None

FEN = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "shared_spaces",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("opens_min", sa.Integer(), nullable=False),
        sa.Column("closes_min", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_spaces")),
    )
    op.create_index(op.f("ix_shared_spaces_compound_id"), "shared_spaces", ["compound_id"])
    op.create_table(
        "space_uses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("pricing", sa.String(length=20), nullable=False),
        sa.Column("fee_fen", FEN, nullable=False),
        sa.ForeignKeyConstraint(["space_id"], ["shared_spaces.id"], name=op.f("fk_space_uses_space_id_shared_spaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_space_uses")),
    )
    op.create_index(op.f("ix_space_uses_space_id"), "space_uses", ["space_id"])
    op.create_table(
        "space_bookings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("use_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purpose", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("fee_fen", FEN, nullable=False),
        sa.Column("revenue_id", sa.Integer(), nullable=True),
        sa.Column("fee_received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["space_id"], ["shared_spaces.id"], name=op.f("fk_space_bookings_space_id_shared_spaces")
        ),
        sa.ForeignKeyConstraint(["use_id"], ["space_uses.id"], name=op.f("fk_space_bookings_use_id_space_uses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_space_bookings")),
    )
    op.create_index(op.f("ix_space_bookings_compound_id"), "space_bookings", ["compound_id"])
    op.create_index(op.f("ix_space_bookings_household_id"), "space_bookings", ["household_id"])
    op.create_index("ix_space_bookings_space_starts", "space_bookings", ["space_id", "starts_at"])
    if op.get_bind().dialect.name == "postgresql":
        # The database itself refuses an overlap, whoever writes it: half-open ranges, so one
        # booking may end when the next begins; cancelled bookings free their time.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE space_bookings ADD CONSTRAINT ex_space_bookings_no_overlap "
            "EXCLUDE USING gist (space_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
            "WHERE (status = 'booked')"
        )


def downgrade() -> None:
    op.drop_table("space_bookings")
    op.drop_table("space_uses")
    op.drop_table("shared_spaces")
