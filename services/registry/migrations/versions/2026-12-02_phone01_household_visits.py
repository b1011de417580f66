"""household visits (走访台账)

Revision ID: phone01_household_visits
Revises: r0024_notify_wechat
Create Date: 2026-12-02 14:10:00

The grid worker's ledger of household visits: who visited which household when, what was found,
whether a follow-up is needed. Issue 13.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "phone01_household_visits"
down_revision = "r0024_notify_wechat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "household_visits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("visitor_person_id", sa.Integer(), nullable=True),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("found", sa.String(length=2000), nullable=False),
        sa.Column("follow_up_needed", sa.Boolean(), nullable=False),
        sa.Column("follow_up", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_household_visits_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_household_visits_compound_id_compounds")
        ),
        sa.ForeignKeyConstraint(["grid_id"], ["grids.id"], name=op.f("fk_household_visits_grid_id_grids")),
        sa.ForeignKeyConstraint(
            ["visitor_person_id"], ["people.id"], name=op.f("fk_household_visits_visitor_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_visits")),
    )
    op.create_index(op.f("ix_household_visits_household_id"), "household_visits", ["household_id"])
    op.create_index(op.f("ix_household_visits_compound_id"), "household_visits", ["compound_id"])
    op.create_index(op.f("ix_household_visits_grid_id"), "household_visits", ["grid_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_household_visits_grid_id"), table_name="household_visits")
    op.drop_index(op.f("ix_household_visits_compound_id"), table_name="household_visits")
    op.drop_index(op.f("ix_household_visits_household_id"), table_name="household_visits")
    op.drop_table("household_visits")
