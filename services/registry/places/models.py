"""The place tree: street → community → grid → compound (→ courtyard) → building → entrance →
dwelling → household, plus clusters (片区) and ownerships."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, column_property, mapped_column

from services.registry.base import Base, Versioned

Area = Numeric(10, 2)


class Street(Versioned, Base):
    """街道."""

    __tablename__ = "streets"
    name: Mapped[str] = mapped_column(String(100), unique=True)


class Community(Versioned, Base):
    """社区 / 村."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("street_id", "name"),)
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Grid(Versioned, Base):
    """网格."""

    __tablename__ = "grids"
    __table_args__ = (UniqueConstraint("community_id", "name"),)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Cluster(Versioned, Base):
    """片区: small old compounds merged for governance."""

    __tablename__ = "clusters"
    __table_args__ = (UniqueConstraint("community_id", "name"),)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Compound(Versioned, Base):
    """小区: the unit of governance."""

    __tablename__ = "compounds"
    __table_args__ = (UniqueConstraint("community_id", "name"),)
    name: Mapped[str] = mapped_column(String(100))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    management_model: Mapped[str] = mapped_column(String(30))
    # Read with the row (never stored twice): every compound event carries its street, so the
    # other services can scope street admins without a street → community projection.
    street_id: Mapped[int] = column_property(
        select(Community.street_id).where(Community.id == community_id).correlate_except(Community).scalar_subquery()
    )


class Courtyard(Versioned, Base):
    """院落."""

    __tablename__ = "courtyards"
    __table_args__ = (UniqueConstraint("compound_id", "name"),)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Building(Versioned, Base):
    """楼栋; its structure drives the fee rate."""

    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("compound_id", "number"),)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    courtyard_id: Mapped[int | None] = mapped_column(ForeignKey("courtyards.id"), index=True)
    number: Mapped[str] = mapped_column(String(30))
    structure: Mapped[str] = mapped_column(String(20))
    floors: Mapped[int] = mapped_column(Integer)


class Entrance(Versioned, Base):
    """单元."""

    __tablename__ = "entrances"
    __table_args__ = (UniqueConstraint("building_id", "number"),)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    number: Mapped[str] = mapped_column(String(30))


class Dwelling(Versioned, Base):
    """房屋: in exactly one entrance (the foreign key is not nullable)."""

    __tablename__ = "dwellings"
    __table_args__ = (UniqueConstraint("entrance_id", "room"),)
    entrance_id: Mapped[int] = mapped_column(ForeignKey("entrances.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    room: Mapped[str] = mapped_column(String(30))
    floor: Mapped[int | None] = mapped_column(Integer)
    area_m2: Mapped[Decimal] = mapped_column(Area)
    exclusive_area_m2: Mapped[Decimal] = mapped_column(Area)
    usage: Mapped[str] = mapped_column(String(20))
    sale_status: Mapped[str] = mapped_column(String(20))
    delivered: Mapped[bool] = mapped_column(Boolean, default=True)


class Household(Versioned, Base):
    """户: the family occupying a dwelling."""

    __tablename__ = "households"
    dwelling_id: Mapped[int] = mapped_column(ForeignKey("dwellings.id"), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    needy: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(String(200))


class Ownership(Versioned, Base):
    """An owner's share of a dwelling (co-owners hold shares in basis points)."""

    __tablename__ = "ownerships"
    __table_args__ = (UniqueConstraint("dwelling_id", "person_id"),)
    dwelling_id: Mapped[int] = mapped_column(ForeignKey("dwellings.id"), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    share_bp: Mapped[int] = mapped_column(Integer, default=10_000)
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)


class BilledPlace(Base):
    """A dwelling (and, once a payment names it, a household) that billing has bills or payments
    for, as its events tell (bills issued, payment booked). The registry keeps no money: this is
    only so that a place with a billing history is not removed from under it."""

    __tablename__ = "billed_places"
    __table_args__ = (UniqueConstraint("dwelling_id", "household_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    dwelling_id: Mapped[int] = mapped_column(Integer, index=True)
    household_id: Mapped[int | None] = mapped_column(Integer, index=True)
