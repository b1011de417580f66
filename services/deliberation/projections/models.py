"""Read models of the registry's places, dwellings, ownerships and committee memberships, fed by
registry events: who owns which exclusive area, and who sits on which body."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.deliberation.base import Base


class CourtyardView(Base):
    __tablename__ = "courtyard_projection"
    courtyard_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)


class BuildingView(Base):
    __tablename__ = "building_projection"
    building_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    courtyard_id: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)


class EntranceView(Base):
    __tablename__ = "entrance_projection"
    entrance_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    building_id: Mapped[int] = mapped_column(Integer, index=True)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    number: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)


class DwellingView(Base):
    """An exclusive part: its area in hundredths of m² (exact) and whether the developer holds it."""

    __tablename__ = "dwelling_projection"
    dwelling_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entrance_id: Mapped[int] = mapped_column(Integer)
    building_id: Mapped[int] = mapped_column(Integer, index=True)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    room: Mapped[str] = mapped_column(String(30))
    exclusive_area_centi: Mapped[int] = mapped_column(Integer)
    sale_status: Mapped[str] = mapped_column(String(20))
    delivered: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)


class HouseholdView(Base):
    """A household and its compound: who lives in a compound may put a matter forward there."""

    __tablename__ = "household_projection"
    household_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)


class OwnershipView(Base):
    __tablename__ = "ownership_projection"
    ownership_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    dwelling_id: Mapped[int] = mapped_column(Integer, index=True)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    share_bp: Mapped[int] = mapped_column(Integer)
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)


class MembershipView(Base):
    """A seat on a compound's body (council, owners' committee, supervisory committee, …)."""

    __tablename__ = "membership_projection"
    membership_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    body: Mapped[str] = mapped_column(String(40))
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)
