"""A place's own SLA clocks per category (street, community or grid), over the catalogue's.

Revision ID: desks01_sla_overrides
Revises: practices_d02
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "desks01_sla_overrides"
down_revision = "practices_d02"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sla_overrides",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("sla", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["category"], ["categories.code"], name=op.f("fk_sla_overrides_category_categories")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_overrides")),
        sa.UniqueConstraint("level", "place_id", "category", name=op.f("uq_sla_overrides_level_place_id_category")),
    )


def downgrade() -> None:
    op.drop_table("sla_overrides")
