"""import job compound

Revision ID: r0005
Revises: r0002
Create Date: 2026-11-25 12:00:00.000000

An import job remembers the compound its rows belong to: the residents ledger names buildings,
entrances and rooms, not the compound, so polling (by the compound's admins) and resuming a job
after a restart both need it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0005"
down_revision = "r0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("compound_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_import_jobs_compound_id"), ["compound_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_import_jobs_compound_id_compounds"), "compounds", ["compound_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_import_jobs_compound_id_compounds"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_import_jobs_compound_id"))
        batch_op.drop_column("compound_id")
