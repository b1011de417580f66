"""Care zones per building and their inspections."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.base import Base
from shared.db import UTCDateTime


class CareZone(Base):
    """A zone of a building's surroundings (门前屋后) and the household that keeps it. One household
    keeps at most one zone: the database refuses a second."""

    __tablename__ = "care_zones"
    __table_args__ = (UniqueConstraint("household_id"), UniqueConstraint("building_id", "name"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    building_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(100))
    household_id: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ZoneInspection(Base):
    """One inspection: who looked, what they found, the photos, and the points entry it made."""

    __tablename__ = "zone_inspections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("care_zones.id"), index=True)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    # The household that kept the zone when it was inspected (a zone may change hands later).
    household_id: Mapped[int] = mapped_column(Integer, index=True)
    period: Mapped[str] = mapped_column(String(7))
    result: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text)
    photos: Mapped[list[str]] = mapped_column(JSON)
    inspector_person_id: Mapped[int | None] = mapped_column(Integer)
    credit_entry_id: Mapped[int | None] = mapped_column(ForeignKey("credit_entries.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
