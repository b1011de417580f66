"""Bill runs in chunks, one compound per transaction: the execution's start time on the run and
the compounds it has billed (bill_run_compounds), so a crash loses at most one compound's chunk
and the run resumes where it stopped; households and ownerships indexed by compound, which a
chunk reads.

Revision ID: batch01
Revises: practices_c02
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "batch01"
down_revision = "practices_c02"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bill_runs") as batch:
        batch.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "bill_run_compounds",
        sa.Column("bill_run_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("issued_count", sa.Integer(), nullable=False),
        sa.Column("issued_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("skipped_no_rate", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bill_run_id"], ["bill_runs.id"], name=op.f("fk_bill_run_compounds_bill_run_id_bill_runs")
        ),
        sa.PrimaryKeyConstraint("bill_run_id", "compound_id", name=op.f("pk_bill_run_compounds")),
    )
    # A chunk reads one compound's households and ownerships.
    op.create_index(op.f("ix_household_projection_compound_id"), "household_projection", ["compound_id"])
    op.create_index(op.f("ix_ownership_projection_compound_id"), "ownership_projection", ["compound_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ownership_projection_compound_id"), table_name="ownership_projection")
    op.drop_index(op.f("ix_household_projection_compound_id"), table_name="household_projection")
    op.drop_table("bill_run_compounds")
    with op.batch_alter_table("bill_runs") as batch:
        batch.drop_column("started_at")
