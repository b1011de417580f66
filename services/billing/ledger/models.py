"""The journal: accounts, immutable entries and their lines (balances are sums of lines)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from services.billing.base import BigId, Fen, metadata
from shared.db import UTCDateTime

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("compound_id", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("ref", String(60), nullable=False),
    UniqueConstraint("compound_id", "kind", "ref"),
)

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("compound_id", Integer, nullable=False, index=True),
    # What caused it (bill_run, payment, refund, …) and that thing's id: one entry per cause.
    Column("source_kind", String(40), nullable=False),
    Column("source_id", String(80), nullable=False),
    Column("description", String(200), nullable=False),
    Column("reverses_entry_id", BigId, ForeignKey("journal_entries.id")),
    Column("posted_at", UTCDateTime(), nullable=False),
    # The day the money moved in the compound's time zone (a revenue's received_on, otherwise
    # the posting day): disclosures count the entry in the period of this day.
    Column("value_date", Date),
    UniqueConstraint("source_kind", "source_id", "compound_id"),
    Index("ix_journal_entries_value_date", "compound_id", "value_date"),
)

journal_lines = Table(
    "journal_lines",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("entry_id", BigId, ForeignKey("journal_entries.id"), nullable=False),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("debit_fen", Fen, nullable=False),
    Column("credit_fen", Fen, nullable=False),
    CheckConstraint("debit_fen >= 0 AND credit_fen >= 0 AND (debit_fen = 0) <> (credit_fen = 0)", name="one_sided"),
    Index("ix_journal_lines_entry", "entry_id"),
    Index("ix_journal_lines_account", "account_id"),
)
