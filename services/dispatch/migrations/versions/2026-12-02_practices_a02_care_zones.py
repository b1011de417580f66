"""Care zones, one household one zone (一户一区): zones per building (a household keeps at most
one, unique in the database) and their inspections, each scoring the household.

Revision ID: practices_a02
Revises: practices_a01
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "practices_a02"
down_revision = "practices_a01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_zones",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_zones")),
        sa.UniqueConstraint("building_id", "name", name=op.f("uq_care_zones_building_id_name")),
        sa.UniqueConstraint("household_id", name=op.f("uq_care_zones_household_id")),
    )
    op.create_index(op.f("ix_care_zones_building_id"), "care_zones", ["building_id"], unique=False)
    op.create_index(op.f("ix_care_zones_compound_id"), "care_zones", ["compound_id"], unique=False)
    op.create_table(
        "zone_inspections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("result", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("inspector_person_id", sa.Integer(), nullable=True),
        sa.Column("credit_entry_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credit_entry_id"], ["credit_entries.id"], name=op.f("fk_zone_inspections_credit_entry_id_credit_entries")
        ),
        sa.ForeignKeyConstraint(["zone_id"], ["care_zones.id"], name=op.f("fk_zone_inspections_zone_id_care_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zone_inspections")),
    )
    op.create_index(op.f("ix_zone_inspections_compound_id"), "zone_inspections", ["compound_id"], unique=False)
    op.create_index(op.f("ix_zone_inspections_household_id"), "zone_inspections", ["household_id"], unique=False)
    op.create_index(op.f("ix_zone_inspections_zone_id"), "zone_inspections", ["zone_id"], unique=False)


def downgrade() -> None:
    op.drop_table("zone_inspections")
    op.drop_table("care_zones")
