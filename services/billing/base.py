"""Billing's one MetaData, shared by its sub-packages (tables are SQLAlchemy Core: bill runs
and projections are set-based statements, not per-row objects)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer

from shared.db import new_metadata

metadata = new_metadata()

# Money columns: BIGINT on PostgreSQL (a street's yearly fees exceed 2^31 fen), INTEGER on
# SQLite (which is 64-bit anyway and needs INTEGER for its rowid primary keys).
Fen = BigInteger().with_variant(Integer(), "sqlite")
BigId = BigInteger().with_variant(Integer(), "sqlite")
