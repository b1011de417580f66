"""Shared spaces (共享空间, "7+N") and their bookings. On PostgreSQL the migration adds an
exclusion constraint (btree_gist) so two active bookings of one space never overlap, whatever
writes them; SQLite relies on the booking use case's own check."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table

from services.billing.base import Fen, metadata
from shared.db import UTCDateTime

shared_spaces = Table(
    "shared_spaces",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("compound_id", Integer, nullable=False, index=True),
    Column("name", String(60), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("capacity", Integer, nullable=False),
    # Opening hours as minutes after midnight in the compound's time zone (08:00 -> 480).
    Column("opens_min", Integer, nullable=False),
    Column("closes_min", Integer, nullable=False),
    Column("description", String(300), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_by", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
)

space_uses = Table(
    "space_uses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("space_id", Integer, ForeignKey("shared_spaces.id"), nullable=False, index=True),
    Column("name", String(40), nullable=False),
    Column("pricing", String(20), nullable=False),
    Column("fee_fen", Fen, nullable=False),
)

space_bookings = Table(
    "space_bookings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("space_id", Integer, ForeignKey("shared_spaces.id"), nullable=False),
    Column("compound_id", Integer, nullable=False, index=True),
    Column("use_id", Integer, ForeignKey("space_uses.id"), nullable=False),
    Column("household_id", Integer, nullable=False, index=True),
    Column("person_id", Integer),
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("ends_at", UTCDateTime(), nullable=False),
    Column("purpose", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("fee_fen", Fen, nullable=False),
    # The public revenue the fee was booked as (funds' revenues.id), once received.
    Column("revenue_id", Integer),
    Column("fee_received_at", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("cancelled_at", UTCDateTime()),
    Column("version", Integer, nullable=False),
    Index("ix_space_bookings_space_starts", "space_id", "starts_at"),
)
