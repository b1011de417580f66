"""Points rules per compound, the points ledger and the published lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.base import Base
from services.dispatch.points.month_lists import PublishedMonthColumns
from shared.db import UTCDateTime


class PointsRuleRow(Base):
    """A compound's points rules (compound_id 0 = the default for every compound)."""

    __tablename__ = "points_rules"
    compound_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)


class PointsEntry(Base):
    __tablename__ = "points_entries"
    __table_args__ = (
        UniqueConstraint("order_id", "party_member_id", "reason", "ref"),
        Index("ix_points_entries_compound_period", "compound_id", "period"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    party_member_id: Mapped[int] = mapped_column(Integer, index=True)
    compound_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(7))
    order_id: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(String(20))
    # Tells repeated entries of one kind apart (e.g. the offer round that lapsed).
    ref: Mapped[str] = mapped_column(String(40))
    points: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class PublishedLists(PublishedMonthColumns, Base):
    __tablename__ = "published_lists"
