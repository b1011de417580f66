"""Published disclosure snapshots (immutable; nothing updates or deletes them)."""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, String, Table, Text, UniqueConstraint

from services.billing.base import metadata
from shared.db import UTCDateTime

disclosures = Table(
    "disclosures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("compound_id", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("period_kind", String(20), nullable=False),
    Column("period_label", String(20), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("content", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("published_by", Integer),
    Column("published_at", UTCDateTime(), nullable=False),
    UniqueConstraint("compound_id", "seq"),
    UniqueConstraint("compound_id", "period_label"),
)
