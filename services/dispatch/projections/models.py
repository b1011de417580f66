"""What dispatch knows of the registry, kept from its events: where each compound lies (for
authorisation and escalation), households, party members with skills and caps, check-ins,
pairings (member → household) and grid workers. Each row carries the registry's version so a
late, older event changes nothing."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.base import Base
from shared.auth import Place


class CompoundArea(Base):
    """A compound's grid, community and street (the shared compound projection lacks grid and street)."""

    __tablename__ = "compound_areas"
    compound_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    community_id: Mapped[int] = mapped_column(Integer, index=True)
    street_id: Mapped[int | None] = mapped_column(Integer, index=True)
    grid_id: Mapped[int | None] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)

    @property
    def place(self) -> Place:
        """The compound with its grid, community and street, for place-and-role checks."""
        return Place(
            street_id=self.street_id, community_id=self.community_id, grid_id=self.grid_id, compound_id=self.compound_id
        )


class HouseholdView(Base):
    __tablename__ = "households"
    household_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    dwelling_id: Mapped[int] = mapped_column(Integer)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer)


class MemberView(Base):
    """A party member as matching needs them."""

    __tablename__ = "party_members"
    party_member_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(100))
    # Which of the four ledgers: the compound's eligibility rule names the ledgers that take work.
    ledger: Mapped[str] = mapped_column(String(20), server_default="in_service")
    household_id: Mapped[int | None] = mapped_column(Integer)
    # Where the member lives (members off the in-service ledger cannot check in; they serve here).
    compound_id: Mapped[int | None] = mapped_column(Integer)
    skills: Mapped[list[str]] = mapped_column(JSON)
    on_duty: Mapped[bool] = mapped_column(Boolean)
    max_open_orders: Mapped[int] = mapped_column(Integer)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer)


class VolunteerView(Base):
    """A resident volunteering their skills (特长户), asked after the party members."""

    __tablename__ = "volunteers"
    volunteer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(100))
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    household_id: Mapped[int] = mapped_column(Integer)
    skills: Mapped[list[str]] = mapped_column(JSON)
    team_names: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)


class CheckInView(Base):
    __tablename__ = "check_ins"
    check_in_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    party_member_id: Mapped[int] = mapped_column(Integer, index=True)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    active: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)


class MemberHouseholdLink(Base):
    """A party member paired with a household, from a pairing or a center household's 1+N list."""

    __tablename__ = "member_household_links"
    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    household_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    party_member_id: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)


class GridWorkerView(Base):
    __tablename__ = "grid_workers"
    grid_worker_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(100))
    grid_ids: Mapped[list[int]] = mapped_column(JSON)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer)


class BuildingView(Base):
    """A building's number, so care zones name their building and lists name a household's door."""

    __tablename__ = "buildings"
    building_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    number: Mapped[str] = mapped_column(String(40))
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer)


class EntranceView(Base):
    __tablename__ = "entrances"
    entrance_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    building_id: Mapped[int] = mapped_column(Integer, index=True)
    number: Mapped[str] = mapped_column(String(40))
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer)


class DwellingView(Base):
    """A dwelling's place in its building: with the building and entrance, its door (1-1-301)."""

    __tablename__ = "dwellings"
    dwelling_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    building_id: Mapped[int] = mapped_column(Integer, index=True)
    entrance_id: Mapped[int] = mapped_column(Integer)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    room: Mapped[str] = mapped_column(String(40))
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer)
