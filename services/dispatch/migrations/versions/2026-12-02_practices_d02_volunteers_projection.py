"""volunteers projection

Revision ID: practices_d02
Revises: practices_a02
Create Date: 2026-12-02 17:18:32.681900

Issue 16: the registry's volunteer residents (特长户), whom matching asks after the party members.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "practices_d02"
down_revision = "practices_a02"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "volunteers",
        sa.Column("volunteer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("team_names", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("volunteer_id", name=op.f("pk_volunteers")),
    )
    with op.batch_alter_table("volunteers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_volunteers_compound_id"), ["compound_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_volunteers_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("volunteers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteers_person_id"))
        batch_op.drop_index(batch_op.f("ix_volunteers_compound_id"))

    op.drop_table("volunteers")
