"""One household visit (走访) as the grid worker recorded it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.base import Base
from shared.db import UTCDateTime


class HouseholdVisit(Base):
    """Who visited which household when, what was found, and whether it needs a follow-up.

    The compound and grid are kept as they were at the visit, so the ledger of a grid stays the
    grid's when a compound is later moved to another grid. A ledger entry is not edited: a
    correction is a new visit."""

    __tablename__ = "household_visits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    visitor_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    found: Mapped[str] = mapped_column(String(2000))
    follow_up_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
