"""Property companies, service contracts with their fee standard and standard items, owners'
satisfaction surveys (who answered kept apart from the answers) and performance reviews.

Revision ID: practices_c02
Revises: practices_c01
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "practices_c02"
down_revision = "practices_c01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "property_companies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_property_companies")),
        sa.UniqueConstraint("street_id", "name", name=op.f("uq_property_companies_street_id_name")),
    )
    op.create_index(op.f("ix_property_companies_street_id"), "property_companies", ["street_id"])
    op.create_table(
        "service_contracts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("multi_storey_units", sa.Integer(), nullable=True),
        sa.Column("high_rise_units", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["property_companies.id"], name=op.f("fk_service_contracts_company_id_property_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_contracts")),
    )
    op.create_index(op.f("ix_service_contracts_compound_id"), "service_contracts", ["compound_id"])
    op.create_index(op.f("ix_service_contracts_company_id"), "service_contracts", ["company_id"])
    op.create_table(
        "contract_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["service_contracts.id"], name=op.f("fk_contract_items_contract_id_service_contracts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_items")),
    )
    op.create_index(op.f("ix_contract_items_contract_id"), "contract_items", ["contract_id"])
    op.create_table(
        "satisfaction_surveys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["service_contracts.id"],
            name=op.f("fk_satisfaction_surveys_contract_id_service_contracts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_surveys")),
    )
    op.create_index(op.f("ix_satisfaction_surveys_contract_id"), "satisfaction_surveys", ["contract_id"])
    op.create_index(op.f("ix_satisfaction_surveys_compound_id"), "satisfaction_surveys", ["compound_id"])
    op.create_table(
        "survey_respondents",
        sa.Column("survey_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("household_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["satisfaction_surveys.id"],
            name=op.f("fk_survey_respondents_survey_id_satisfaction_surveys"),
        ),
        sa.PrimaryKeyConstraint("survey_id", "household_id", name=op.f("pk_survey_respondents")),
    )
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["satisfaction_surveys.id"], name=op.f("fk_survey_answers_survey_id_satisfaction_surveys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answers")),
    )
    op.create_index(op.f("ix_survey_answers_survey_id"), "survey_answers", ["survey_id"])
    op.create_table(
        "performance_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("scores", sa.Text(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["service_contracts.id"], name=op.f("fk_performance_reviews_contract_id_service_contracts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performance_reviews")),
        sa.UniqueConstraint("contract_id", "period", name=op.f("uq_performance_reviews_contract_id_period")),
    )
    op.create_index(op.f("ix_performance_reviews_contract_id"), "performance_reviews", ["contract_id"])
    op.create_index(op.f("ix_performance_reviews_compound_id"), "performance_reviews", ["compound_id"])


def downgrade() -> None:
    for table in (
        "performance_reviews",
        "survey_answers",
        "survey_respondents",
        "satisfaction_surveys",
        "contract_items",
        "service_contracts",
        "property_companies",
    ):
        op.drop_table(table)
