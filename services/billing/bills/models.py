"""Bill runs, bills and their lines."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from services.billing.base import BigId, Fen, metadata
from shared.db import UTCDateTime

bill_runs = Table(
    "bill_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope_kind", String(20), nullable=False),
    Column("scope_id", Integer, nullable=False),
    Column("period_kind", String(20), nullable=False),
    Column("period_label", String(20), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("issued_count", Integer, nullable=False),
    Column("issued_fen", Fen, nullable=False),
    Column("skipped_no_rate", Integer, nullable=False),
    Column("created_by", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("completed_at", UTCDateTime()),
    # When the current (or last) execution started: every compound of it is billed as of then,
    # also a compound billed after a crash cut the execution off and it was resumed.
    Column("started_at", UTCDateTime()),
    # Running a period again answers with the first run's report and issues nothing.
    UniqueConstraint("scope_kind", "scope_id", "period_start", "period_end"),
)

bill_run_compounds = Table(
    "bill_run_compounds",
    metadata,
    # A run's progress: one row per compound its current execution has billed (the chunk's own
    # transaction writes it with the bills), so a resumed execution skips what is done. A new
    # execution of the period (running it again) starts with none.
    Column("bill_run_id", Integer, ForeignKey("bill_runs.id"), primary_key=True),
    Column("compound_id", Integer, primary_key=True, autoincrement=False),
    Column("issued_count", Integer, nullable=False),
    Column("issued_fen", Fen, nullable=False),
    Column("skipped_no_rate", Integer, nullable=False),
    Column("completed_at", UTCDateTime(), nullable=False),
)

bills = Table(
    "bills",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("compound_id", Integer, nullable=False),
    Column("building_id", Integer, nullable=False),
    Column("dwelling_id", Integer, nullable=False),
    Column("household_id", Integer),
    Column("kind", String(30), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("period_label", String(20), nullable=False),
    Column("bill_run_id", Integer, ForeignKey("bill_runs.id")),
    # The levy's decision id or the visit id ('' for property fees): one bill per source.
    Column("source_id", String(80), nullable=False),
    Column("description", String(200), nullable=False),
    Column("payer_kind", String(20), nullable=False),
    Column("payer_person_id", Integer),
    Column("area_c", Integer, nullable=False),
    Column("rate_units", Integer, nullable=False),
    Column("vacancy_percent", Integer, nullable=False),
    Column("amount_fen", Fen, nullable=False),
    Column("paid_fen", Fen, nullable=False),
    Column("status", String(20), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("issued_at", UTCDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    # The last guard against over-allocation, whatever the code above it does.
    CheckConstraint("amount_fen >= 0 AND paid_fen >= 0 AND paid_fen <= amount_fen", name="paid_within_due"),
    # dwelling_id first: the bill run probes it per dwelling while it inserts (anti-join).
    UniqueConstraint("dwelling_id", "kind", "period_start", "source_id"),
    Index("ix_bills_compound_period", "compound_id", "period_start"),
    Index("ix_bills_household", "household_id"),
    Index("ix_bills_run", "bill_run_id"),
)

bill_lines = Table(
    "bill_lines",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("bill_id", BigId, ForeignKey("bills.id"), nullable=False, index=True),
    Column("payer_kind", String(20), nullable=False),
    Column("payer_person_id", Integer),
    Column("area_c", Integer, nullable=False),
    Column("rate_units", Integer, nullable=False),
    Column("months", Integer, nullable=False),
    Column("days", Integer, nullable=False),
    Column("period_days", Integer, nullable=False),
    Column("vacancy_percent", Integer, nullable=False),
    # The exact amount in fen is precise_num / precise_den; amount_fen is it rounded half-up.
    Column("precise_num", Fen, nullable=False),
    Column("precise_den", Fen, nullable=False),
    Column("amount_fen", Fen, nullable=False),
)
