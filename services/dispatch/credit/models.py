"""Household credit: the rules per compound, the ledger of entries (append-only: a correction is
a new entry that reverses an old one), the points shop's items and the published lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.base import Base
from services.dispatch.points.month_lists import PublishedMonthColumns
from shared.db import UTCDateTime


class CreditRuleRow(Base):
    """A compound's household credit rules (compound_id 0 = the default for every compound)."""

    __tablename__ = "credit_rules"
    compound_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)


class ShopItem(Base):
    """Goods a compound's households may take for points (积分兑换生活用品). The stock never goes
    below zero: the database refuses it, whatever the code does."""

    __tablename__ = "credit_shop_items"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("points > 0", name="points_positive"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(100))
    points: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CreditEntry(Base):
    """One change of a household's points, with its reason and a note saying why. Rows are never
    updated or deleted: a mistake is undone by an entry with the opposite points that names the
    entry it reverses (each entry can be reversed once)."""

    __tablename__ = "credit_entries"
    __table_args__ = (
        CheckConstraint("points <> 0", name="points_not_zero"),
        CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
        # An entry that follows from another record (an inspection) is written once.
        UniqueConstraint("source"),
        UniqueConstraint("reverses_entry_id"),
        Index("ix_credit_entries_compound_period", "compound_id", "period"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    compound_id: Mapped[int] = mapped_column(Integer)
    household_id: Mapped[int] = mapped_column(Integer, index=True)
    # The month the entry counts for (a reversal counts for the month of what it reverses).
    period: Mapped[str] = mapped_column(String(7))
    reason: Mapped[str] = mapped_column(String(30))
    points: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(60))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("credit_shop_items.id"))
    quantity: Mapped[int | None] = mapped_column(Integer)
    reverses_entry_id: Mapped[int | None] = mapped_column(ForeignKey("credit_entries.id"))
    by_person_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class CreditLists(PublishedMonthColumns, Base):
    """A compound's red and black lists of a month, fixed when published (上榜公示)."""

    __tablename__ = "credit_lists"
