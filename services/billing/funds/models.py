"""Public revenue, distribution rules and runs, fund movements, maintenance-fund decisions and
shared-property visit charges."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Integer, String, Table, Text

from services.billing.base import BigId, Fen, metadata
from shared.db import UTCDateTime

revenues = Table(
    "revenues",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("compound_id", Integer, nullable=False, index=True),
    Column("source", String(30), nullable=False),
    Column("gross_fen", Fen, nullable=False),
    Column("cost_fen", Fen, nullable=False),
    Column("net_fen", Fen, nullable=False),
    Column("evidence", Text, nullable=False),  # JSON list of invoice / contract references
    Column("description", String(200), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("entry_id", BigId, nullable=False),
    Column("created_by", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
)

distribution_rules = Table(
    "distribution_rules",
    metadata,
    Column("compound_id", Integer, primary_key=True, autoincrement=False),
    Column("shares", Text, nullable=False),  # JSON {part: basis points}
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

distributions = Table(
    "distributions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("compound_id", Integer, nullable=False, index=True),
    Column("amount_fen", Fen, nullable=False),
    Column("shares", Text, nullable=False),
    Column("parts", Text, nullable=False),  # JSON {part: fen}
    Column("entry_id", BigId, nullable=False),
    Column("created_by", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
)

fund_movements = Table(
    "fund_movements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("compound_id", Integer, nullable=False, index=True),
    Column("fund", String(40), nullable=False),
    Column("ref", String(60), nullable=False),
    Column("direction", String(10), nullable=False),  # in | out
    Column("amount_fen", Fen, nullable=False),
    Column("source", String(30)),
    Column("purpose", String(200), nullable=False),
    Column("counterparty", String(100)),
    Column("decision_id", String(80)),
    Column("emergency", Boolean, nullable=False),
    Column("entry_id", BigId, nullable=False),
    Column("created_by", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
)

maintenance_decisions = Table(
    "maintenance_decisions",
    metadata,
    Column("decision_id", String(80), primary_key=True),
    Column("proposal_id", String(80), nullable=False),
    Column("compound_id", Integer, nullable=False),
    Column("building_ids", Text, nullable=False),
    Column("amount_fen", Fen, nullable=False),
    Column("used_fen", Fen, nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
)

visit_charges = Table(
    "visit_charges",
    metadata,
    Column("visit_id", String(80), primary_key=True),
    Column("order_id", String(80), nullable=False),
    Column("compound_id", Integer, nullable=False, index=True),
    Column("household_id", Integer),
    Column("dwelling_id", Integer),
    Column("category", String(60), nullable=False),
    Column("provider", String(100), nullable=False),
    Column("price_fen", Fen, nullable=False),
    Column("market_price_fen", Fen, nullable=False),
    Column("charge_to", String(20), nullable=False),
    Column("bill_id", BigId),
    Column("entry_id", BigId, nullable=False),
    Column("completed_at", String(40), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# Four eyes: a 433 distribution or an emergency maintenance-fund withdrawal is requested by one
# person and approved by a second committee member before it can be booked; the row is the
# audit trail of both (who asked, who approved, when, and what it was used for).
fund_approvals = Table(
    "fund_approvals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("compound_id", Integer, nullable=False, index=True),
    Column("action", String(30), nullable=False),
    Column("amount_fen", Fen, nullable=False),
    Column("building_ids", Text, nullable=False),  # JSON list; [] for a distribution
    Column("purpose", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("requested_by", Integer, nullable=False),
    Column("requested_at", UTCDateTime(), nullable=False),
    Column("approved_by", Integer),
    Column("approved_at", UTCDateTime()),
    Column("used_for", String(60)),
    Column("version", Integer, nullable=False),
)
