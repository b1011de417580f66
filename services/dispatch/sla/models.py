"""Deadlines as rows: the ticker claims the due ones, so a restart loses none and two
replicas never fire one twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ColumnElement, ForeignKey, Index, Integer, String, UniqueConstraint, and_, text
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.base import Base
from shared.db import UTCDateTime

# A row that reminds rather than runs a clock: the members an offer went to hear before it lapses.
# The ticker fires it like any deadline, but it is not one of the order's clocks, so the order's
# deadlines and Open311's expected time leave it out (through `Deadline.clocks_of`).
LAPSE_WARNING = "lapse_warning"


class Deadline(Base):
    __tablename__ = "deadlines"
    __table_args__ = (
        Index(
            "ix_deadlines_pending",
            "due_at",
            postgresql_where=text("fired_at IS NULL AND cancelled_at IS NULL"),
            sqlite_where=text("fired_at IS NULL AND cancelled_at IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @classmethod
    def clocks_of(cls, order_id: str) -> ColumnElement[bool]:
        """The order's clocks not cancelled (fired or still running), reminders left out."""
        return and_(cls.order_id == order_id, cls.cancelled_at.is_(None), cls.stage != LAPSE_WARNING)


class SlaOverride(Base):
    """A place's own clocks for one category (时限按地方调整): a street, a community or a grid
    sets tighter or looser figures than the catalogue's; the nearest place's figure wins."""

    __tablename__ = "sla_overrides"
    __table_args__ = (UniqueConstraint("level", "place_id", "category"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    level: Mapped[str] = mapped_column(String(20))
    place_id: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(ForeignKey("categories.code"))
    sla: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_person_id: Mapped[int | None] = mapped_column(Integer)
