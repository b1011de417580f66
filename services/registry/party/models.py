"""The five-level party organisation, party members with their ledgers and skills, check-ins
(在职党员报到) and center households with their 1+N mentored households."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.base import Base, Versioned
from shared.db import UTCDateTime


class PartyOrg(Versioned, Base):
    """A party organisation at one level, attached to the place of that level."""

    __tablename__ = "party_orgs"
    __table_args__ = (UniqueConstraint("level", "place_kind", "place_id"),)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("party_orgs.id"), index=True)
    level: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    place_kind: Mapped[str] = mapped_column(String(20))
    place_id: Mapped[int] = mapped_column(Integer)


class PartyMember(Versioned, Base):
    """党员, on one of the four ledgers."""

    __tablename__ = "party_members"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    ledger: Mapped[str] = mapped_column(String(30))
    party_org_id: Mapped[int] = mapped_column(ForeignKey("party_orgs.id"), index=True)
    on_duty: Mapped[bool] = mapped_column(Boolean, default=True)
    max_open_orders: Mapped[int] = mapped_column(Integer, default=3)


class MemberSkill(Base):
    """一技之长: used to match orders."""

    __tablename__ = "member_skills"
    party_member_id: Mapped[int] = mapped_column(ForeignKey("party_members.id"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(30), primary_key=True)


class CheckIn(Versioned, Base):
    """An in-service member reporting to the compound where they live, with the post taken."""

    __tablename__ = "check_ins"
    party_member_id: Mapped[int] = mapped_column(ForeignKey("party_members.id"), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    post: Mapped[str] = mapped_column(String(100))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CenterHousehold(Versioned, Base):
    """党员中心户: a party member's household that helps N others (1+N 帮带)."""

    __tablename__ = "center_households"
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), unique=True)
    party_member_id: Mapped[int] = mapped_column(ForeignKey("party_members.id"), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)


class Mentorship(Base):
    __tablename__ = "mentorships"
    center_household_id: Mapped[int] = mapped_column(ForeignKey("center_households.id"), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), primary_key=True)
