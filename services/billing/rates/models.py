"""Rate cards."""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, String, Table

from services.billing.base import metadata
from shared.db import UTCDateTime

rate_cards = Table(
    "rate_cards",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope_kind", String(20), nullable=False),
    Column("scope_id", Integer, nullable=False),
    Column("structure", String(30), nullable=False),
    Column("management_model", String(30), nullable=False),
    # 1/10,000 yuan per m² per month (0.55 -> 5500): exact.
    Column("rate_units", Integer, nullable=False),
    Column("vacancy_percent", Integer, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date),
    Column("created_by", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_rate_cards_scope", "scope_kind", "scope_id", "structure", "management_model"),
)
