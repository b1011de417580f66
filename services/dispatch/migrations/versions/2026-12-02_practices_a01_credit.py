"""Household credit (住户积分): rules, the ledger, the points shop with its stock checked by the
database, the published lists; and the buildings, entrances and dwellings dispatch keeps so a
household is named by its door (1-1-301).

Revision ID: practices_a01
Revises: practices_b01
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "practices_a01"
down_revision = "practices_b01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "buildings",
        sa.Column("building_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("building_id", name=op.f("pk_buildings")),
    )
    op.create_index(op.f("ix_buildings_compound_id"), "buildings", ["compound_id"], unique=False)
    op.create_table(
        "credit_lists",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("honor_roll", sa.JSON(), nullable=False),
        sa.Column("warning_list", sa.JSON(), nullable=False),
        sa.Column("published_by_person_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_lists")),
        sa.UniqueConstraint("compound_id", "period", name=op.f("uq_credit_lists_compound_id_period")),
    )
    op.create_table(
        "credit_rules",
        sa.Column("compound_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("compound_id", name=op.f("pk_credit_rules")),
    )
    op.create_table(
        "credit_shop_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("points > 0", name=op.f("ck_credit_shop_items_points_positive")),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_credit_shop_items_stock_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_shop_items")),
    )
    op.create_index(op.f("ix_credit_shop_items_compound_id"), "credit_shop_items", ["compound_id"], unique=False)
    op.create_table(
        "dwellings",
        sa.Column("dwelling_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("entrance_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("room", sa.String(length=40), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("dwelling_id", name=op.f("pk_dwellings")),
    )
    op.create_index(op.f("ix_dwellings_building_id"), "dwellings", ["building_id"], unique=False)
    op.create_index(op.f("ix_dwellings_compound_id"), "dwellings", ["compound_id"], unique=False)
    op.create_table(
        "entrances",
        sa.Column("entrance_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("entrance_id", name=op.f("pk_entrances")),
    )
    op.create_index(op.f("ix_entrances_building_id"), "entrances", ["building_id"], unique=False)
    op.create_table(
        "credit_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("reverses_entry_id", sa.Integer(), nullable=True),
        sa.Column("by_person_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("points <> 0", name=op.f("ck_credit_entries_points_not_zero")),
        sa.CheckConstraint("quantity IS NULL OR quantity > 0", name=op.f("ck_credit_entries_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["item_id"], ["credit_shop_items.id"], name=op.f("fk_credit_entries_item_id_credit_shop_items")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_entry_id"],
            ["credit_entries.id"],
            name=op.f("fk_credit_entries_reverses_entry_id_credit_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_entries")),
        sa.UniqueConstraint("reverses_entry_id", name=op.f("uq_credit_entries_reverses_entry_id")),
        sa.UniqueConstraint("source", name=op.f("uq_credit_entries_source")),
    )
    op.create_index("ix_credit_entries_compound_period", "credit_entries", ["compound_id", "period"], unique=False)
    op.create_index(op.f("ix_credit_entries_household_id"), "credit_entries", ["household_id"], unique=False)


def downgrade() -> None:
    for table in (
        "credit_entries",
        "entrances",
        "dwellings",
        "credit_shop_items",
        "credit_rules",
        "credit_lists",
        "buildings",
    ):
        op.drop_table(table)
