"""Payments, their allocations to bills, refunds, online payment orders, channel
notifications and the per-compound receipt counter."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from services.billing.base import BigId, Fen, metadata
from shared.db import UTCDateTime

receipt_counters = Table(
    "receipt_counters",
    metadata,
    Column("compound_id", Integer, primary_key=True, autoincrement=False),
    # Updated in the payment's own transaction, so a rolled-back payment leaves no gap.
    Column("last_seq", Integer, nullable=False),
)

payments = Table(
    "payments",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("compound_id", Integer, nullable=False),
    Column("dwelling_id", Integer, nullable=False),
    Column("household_id", Integer),
    Column("channel", String(20), nullable=False),
    Column("out_trade_no", String(64), unique=True),
    Column("transaction_id", String(64)),
    Column("amount_fen", Fen, nullable=False),
    # Beyond the open bills: kept as an advance receipt (预收款).
    Column("unallocated_fen", Fen, nullable=False),
    Column("refunded_fen", Fen, nullable=False),
    Column("status", String(20), nullable=False),
    Column("receipt_seq", Integer, nullable=False),
    Column("receipt_no", String(40), nullable=False),
    Column("payer_name", String(60)),
    Column("note", String(200)),
    Column("entry_id", BigId, nullable=False),
    Column("booked_by", Integer),
    Column("booked_at", UTCDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("amount_fen > 0 AND refunded_fen >= 0 AND refunded_fen <= amount_fen", name="refund_within_paid"),
    UniqueConstraint("compound_id", "receipt_seq"),
    UniqueConstraint("channel", "transaction_id"),
    Index("ix_payments_dwelling", "dwelling_id"),
    Index("ix_payments_household", "household_id"),
)

payment_allocations = Table(
    "payment_allocations",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("payment_id", BigId, ForeignKey("payments.id"), nullable=False, index=True),
    Column("bill_id", BigId, ForeignKey("bills.id"), nullable=False, index=True),
    # Positive when paid onto the bill; negative when a refund or reversal takes it back.
    Column("amount_fen", Fen, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("payment_id", BigId, ForeignKey("payments.id"), nullable=False, index=True),
    Column("compound_id", Integer, nullable=False),
    Column("amount_fen", Fen, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("entry_id", BigId, nullable=False),
    Column("created_by", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
)

payment_orders = Table(
    "payment_orders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("out_trade_no", String(64), nullable=False, unique=True),
    Column("compound_id", Integer, nullable=False),
    Column("dwelling_id", Integer, nullable=False),
    Column("household_id", Integer),
    Column("channel", String(20), nullable=False),
    Column("amount_fen", Fen, nullable=False),
    Column("status", String(20), nullable=False),
    Column("payment_id", BigId),
    Column("created_by", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("paid_at", UTCDateTime()),
    Column("last_queried_at", UTCDateTime()),
    Column("query_attempts", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_payment_orders_pending", "status", "created_at"),
)

payment_notifications = Table(
    "payment_notifications",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("channel", String(20), nullable=False),
    Column("out_trade_no", String(64)),
    Column("transaction_id", String(64)),
    Column("outcome", String(30), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
)

# Nonces of verified WeChat Pay notifications, kept for the clock-skew window: a request seen
# again inside the window is a replay (outside it, its timestamp is refused as stale).
payment_notification_nonces = Table(
    "payment_notification_nonces",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("channel", String(20), nullable=False),
    Column("nonce", String(64), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False, index=True),
    UniqueConstraint("channel", "nonce"),
)
