"""The compound projection learns its street and grid.

Revision ID: d0005
Revises: d0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from shared.migrate import add_compound_places_v2

revision = "d0005"
down_revision = "d0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_compound_places_v2()


def downgrade() -> None:
    from alembic import op

    with op.batch_alter_table("compound_projection") as batch:
        batch.drop_column("grid_id")
        batch.drop_column("street_id")
