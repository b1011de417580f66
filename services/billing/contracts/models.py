"""Property companies (物业服务企业), their service contracts per compound with the fee standard
and the service standard items, owners' satisfaction surveys and staff's performance reviews
(Wenjiang, seed 004). A survey's answers are kept apart from who answered: one row says a
household took part (one household, one answer), another holds the answer with no household."""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint

from services.billing.base import metadata
from shared.db import UTCDateTime

property_companies = Table(
    "property_companies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("street_id", Integer, nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("credit_code", String(18), nullable=False),  # 统一社会信用代码
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("street_id", "name"),
)

service_contracts = Table(
    "service_contracts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("compound_id", Integer, nullable=False, index=True),
    Column("company_id", Integer, ForeignKey("property_companies.id"), nullable=False, index=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    # Fee standard per building structure, 1/10,000 yuan per m² per month (rates/domain.py).
    Column("multi_storey_units", Integer),
    Column("high_rise_units", Integer),
    Column("created_by", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
)

contract_items = Table(
    "contract_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract_id", Integer, ForeignKey("service_contracts.id"), nullable=False, index=True),
    Column("title", String(100), nullable=False),
    Column("weight", Integer, nullable=False),  # points out of 100
)

satisfaction_surveys = Table(
    "satisfaction_surveys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract_id", Integer, ForeignKey("service_contracts.id"), nullable=False, index=True),
    Column("compound_id", Integer, nullable=False, index=True),
    Column("title", String(100), nullable=False),
    Column("opens_on", Date, nullable=False),
    Column("closes_on", Date, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

survey_respondents = Table(
    "survey_respondents",
    metadata,
    Column("survey_id", Integer, ForeignKey("satisfaction_surveys.id"), primary_key=True, autoincrement=False),
    Column("household_id", Integer, primary_key=True, autoincrement=False),
)

survey_answers = Table(
    "survey_answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("survey_id", Integer, ForeignKey("satisfaction_surveys.id"), nullable=False, index=True),
    Column("score", Integer, nullable=False),  # 1–5
    Column("comment", String(300), nullable=False),
)

performance_reviews = Table(
    "performance_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract_id", Integer, ForeignKey("service_contracts.id"), nullable=False, index=True),
    Column("compound_id", Integer, nullable=False, index=True),
    Column("period", String(7), nullable=False),
    Column("scores", Text, nullable=False),  # JSON [{item_id, title, weight, score}]
    Column("total", Integer, nullable=False),
    Column("note", String(300), nullable=False),
    Column("created_by", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("contract_id", "period"),
)
