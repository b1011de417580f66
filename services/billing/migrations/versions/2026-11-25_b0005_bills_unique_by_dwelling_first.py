"""Billing: bills unique by (dwelling, kind, period start, source), dwelling first.

The bill run probes bills per dwelling while it inserts them; with the kind first, a planner
that still thinks the table empty scanned every property-fee bill per dwelling (quadratic).

Revision ID: b0005
Revises: b0004
Create Date: 2026-11-25 03:55:13.579609
"""

from __future__ import annotations

from alembic import op

revision = "b0005"
down_revision = "b0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_bills_kind_dwelling_id_period_start_source_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_bills_dwelling_id_kind_period_start_source_id"),
            ["dwelling_id", "kind", "period_start", "source_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_bills_dwelling_id_kind_period_start_source_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_bills_kind_dwelling_id_period_start_source_id"),
            ["kind", "dwelling_id", "period_start", "source_id"],
        )
