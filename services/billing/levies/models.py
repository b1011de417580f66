"""Levies passed by deliberation and billed to households."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table

from services.billing.base import Fen, metadata
from shared.db import UTCDateTime

levies = Table(
    "levies",
    metadata,
    Column("decision_id", String(80), primary_key=True),
    Column("proposal_id", String(80), nullable=False),
    Column("compound_id", Integer, nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("formula", String(20), nullable=False),
    Column("total_fen", Fen),
    Column("per_household_fen", Fen),
    Column("bill_count", Integer, nullable=False),
    Column("amount_fen", Fen, nullable=False),
    Column("due_date", String(20)),
    Column("created_at", UTCDateTime(), nullable=False),
)
