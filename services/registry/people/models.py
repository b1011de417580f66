"""People: residents (with their encrypted personal data), grid workers, building / entrance /
courtyard heads, resident units, and the log of full-value reads of personal data."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.base import Base, Versioned
from shared.db import UTCDateTime


class Person(Versioned, Base):
    """A person the registry knows: a resident of a household, or a cadre / worker from outside.

    ID-card and mobile numbers are stored encrypted (AES-GCM) with a keyed hash beside each for
    exact-value search; removal anonymises the row and keeps its id for history."""

    __tablename__ = "people"
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str | None] = mapped_column(String(10))
    birth_date: Mapped[date | None] = mapped_column(Date)
    id_card_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_card_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    mobile_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    mobile_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compounds.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="family")
    relation: Mapped[str | None] = mapped_column(String(20))
    moved_in: Mapped[date | None] = mapped_column(Date)
    moved_out: Mapped[date | None] = mapped_column(Date)
    anonymised: Mapped[bool] = mapped_column(Boolean, default=False)


class GridWorker(Versioned, Base):
    """网格员 (full-time or part-time), serving one or more grids."""

    __tablename__ = "grid_workers"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(20))


class GridAssignment(Base):
    __tablename__ = "grid_assignments"
    grid_worker_id: Mapped[int] = mapped_column(ForeignKey("grid_workers.id"), primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), primary_key=True)


class Head(Versioned, Base):
    """楼栋长 / 单元长 / 院落长: one person heading one building, entrance or courtyard."""

    __tablename__ = "heads"
    __table_args__ = (UniqueConstraint("kind", "place_id"),)
    kind: Mapped[str] = mapped_column(String(20))
    place_id: Mapped[int] = mapped_column(Integer)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)


class ResidentUnit(Versioned, Base):
    """驻地单位: an organisation based in the area that joins co-governance."""

    __tablename__ = "resident_units"
    __table_args__ = (UniqueConstraint("community_id", "name"),)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    contact_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class PersonalDataAccess(Base):
    """One full-value read of someone's ID-card or mobile number (PIPL)."""

    __tablename__ = "personal_data_access_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reader_person_id: Mapped[int | None] = mapped_column(Integer)
    reader_roles: Mapped[str] = mapped_column(String(500))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    fields: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(200))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
