"""The compound projection learns its street and grid.

Revision ID: b0007
Revises: b0006
Create Date: 2026-11-25
"""

from __future__ import annotations

from shared.migrate import add_compound_places_v2

revision = "b0007"
down_revision = "b0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_compound_places_v2()


def downgrade() -> None:
    from alembic import op

    with op.batch_alter_table("compound_projection") as batch:
        batch.drop_column("grid_id")
        batch.drop_column("street_id")
