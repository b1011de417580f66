"""committee evaluation

Revision ID: committee01
Revises: v0008
Create Date: 2026-12-02

Owners rate their committee once a year, one answer per household and anonymous (who answered
and what was answered live in separate tables); a low result, or the owners' request signed by a
set share of households, opens a correction or recall proposal (issue 16, seed 004). The
thresholds are set per compound.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "committee01"
down_revision = "v0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "committee_evaluation_rules",
        sa.Column("compound_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("min_satisfaction_bp", sa.Integer(), nullable=False),
        sa.Column("recall_share_bp", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("set_by_person_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("compound_id", name=op.f("pk_committee_evaluation_rules")),
    )
    op.create_table(
        "committee_evaluations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("opened_by_person_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("min_satisfaction_bp", sa.Integer(), nullable=True),
        sa.Column("below_threshold", sa.Boolean(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_evaluations")),
        sa.UniqueConstraint("compound_id", "year", name="uq_committee_evaluations_compound_year"),
    )
    with op.batch_alter_table("committee_evaluations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_committee_evaluations_compound_id"), ["compound_id"], unique=False)
    op.create_table(
        "committee_evaluation_households",
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("dwelling_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["committee_evaluations.id"],
            name=op.f("fk_committee_evaluation_households_evaluation_id_committee_evaluations"),
        ),
        sa.PrimaryKeyConstraint("evaluation_id", "dwelling_id", name=op.f("pk_committee_evaluation_households")),
    )
    op.create_table(
        "committee_evaluation_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["committee_evaluations.id"],
            name=op.f("fk_committee_evaluation_scores_evaluation_id_committee_evaluations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_evaluation_scores")),
    )
    with op.batch_alter_table("committee_evaluation_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_committee_evaluation_scores_evaluation_id"), ["evaluation_id"], unique=False
        )
    op.create_table(
        "committee_recall_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_recall_requests")),
    )
    with op.batch_alter_table("committee_recall_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_committee_recall_requests_compound_id"), ["compound_id"], unique=False)
        batch_op.create_index(
            "uq_committee_recall_requests_collecting",
            ["compound_id"],
            unique=True,
            sqlite_where=sa.text("status = 'collecting'"),
            postgresql_where=sa.text("status = 'collecting'"),
        )
    op.create_table(
        "committee_recall_signatures",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("dwelling_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["committee_recall_requests.id"],
            name=op.f("fk_committee_recall_signatures_request_id_committee_recall_requests"),
        ),
        sa.PrimaryKeyConstraint("request_id", "dwelling_id", name=op.f("pk_committee_recall_signatures")),
    )


def downgrade() -> None:
    op.drop_table("committee_recall_signatures")
    with op.batch_alter_table("committee_recall_requests", schema=None) as batch_op:
        batch_op.drop_index("uq_committee_recall_requests_collecting")
        batch_op.drop_index(batch_op.f("ix_committee_recall_requests_compound_id"))
    op.drop_table("committee_recall_requests")
    with op.batch_alter_table("committee_evaluation_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_evaluation_scores_evaluation_id"))
    op.drop_table("committee_evaluation_scores")
    op.drop_table("committee_evaluation_households")
    with op.batch_alter_table("committee_evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_evaluations_compound_id"))
    op.drop_table("committee_evaluations")
    op.drop_table("committee_evaluation_rules")
