"""places: the dwellings and households billing has bills or payments for

Revision ID: places01_billed_places
Revises: practices_d01
Create Date: 2026-12-02 23:00:00

From billing's events (bills issued, payment booked), so that removing a dwelling or a household
with a billing history is refused (409) instead of leaving the bills without their place. Issue 14.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "places01_billed_places"
down_revision = "practices_d01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billed_places",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("dwelling_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billed_places")),
        sa.UniqueConstraint("dwelling_id", "household_id", name=op.f("uq_billed_places_dwelling_id_household_id")),
    )
    for column in ("compound_id", "dwelling_id", "household_id"):
        op.create_index(op.f(f"ix_billed_places_{column}"), "billed_places", [column], unique=False)


def downgrade() -> None:
    op.drop_table("billed_places")
