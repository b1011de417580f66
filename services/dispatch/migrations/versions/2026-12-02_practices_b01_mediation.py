"""Mediation cases (矛盾纠纷调解): the case, its parties with the mediator each chose, its sessions.

Revision ID: practices_b01
Revises: d0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "practices_b01"
down_revision = "d0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mediation_cases",
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("filed_by_person_id", sa.Integer(), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mediator_kind", sa.String(length=20), nullable=True),
        sa.Column("mediator_person_id", sa.Integer(), nullable=True),
        sa.Column("mediator_name", sa.String(length=100), nullable=True),
        sa.Column("mediator_chosen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("agreement", sa.Text(), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("follow_up_note", sa.Text(), nullable=True),
        sa.Column("follow_up_kept", sa.Boolean(), nullable=True),
        sa.Column("followed_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("followed_up_by_person_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mediation_cases")),
    )
    with op.batch_alter_table("mediation_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mediation_cases_community_id"), ["community_id"], unique=False)
        batch_op.create_index("ix_mediation_cases_compound_state", ["compound_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_cases_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_cases_mediator_person_id"), ["mediator_person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_cases_street_id"), ["street_id"], unique=False)

    op.create_table(
        "mediation_parties",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("organisation", sa.String(length=100), nullable=True),
        sa.Column("chosen_kind", sa.String(length=20), nullable=True),
        sa.Column("chosen_person_id", sa.Integer(), nullable=True),
        sa.Column("chosen_name", sa.String(length=100), nullable=True),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["mediation_cases.id"], name=op.f("fk_mediation_parties_case_id_mediation_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mediation_parties")),
    )
    with op.batch_alter_table("mediation_parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mediation_parties_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_parties_person_id"), ["person_id"], unique=False)

    op.create_table(
        "mediation_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=100), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by_person_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["mediation_cases.id"], name=op.f("fk_mediation_sessions_case_id_mediation_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mediation_sessions")),
    )
    with op.batch_alter_table("mediation_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mediation_sessions_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mediation_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mediation_sessions_case_id"))

    op.drop_table("mediation_sessions")
    with op.batch_alter_table("mediation_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mediation_parties_person_id"))
        batch_op.drop_index(batch_op.f("ix_mediation_parties_case_id"))

    op.drop_table("mediation_parties")
    with op.batch_alter_table("mediation_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mediation_cases_street_id"))
        batch_op.drop_index(batch_op.f("ix_mediation_cases_mediator_person_id"))
        batch_op.drop_index(batch_op.f("ix_mediation_cases_grid_id"))
        batch_op.drop_index("ix_mediation_cases_compound_state")
        batch_op.drop_index(batch_op.f("ix_mediation_cases_community_id"))

    op.drop_table("mediation_cases")
