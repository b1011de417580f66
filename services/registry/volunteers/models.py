"""Volunteer teams of a compound, the residents who volunteer with their skills, and who is in
which team."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.base import Base, Versioned
from shared.db import UTCDateTime


class VolunteerTeam(Versioned, Base):
    """红邻服务队 / 志愿服务队 of one compound (设备维护、巡防检查、矛盾调处 …)."""

    __tablename__ = "volunteer_teams"
    __table_args__ = (UniqueConstraint("compound_id", "name"),)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    focus: Mapped[str] = mapped_column(String(500), default="")


class Volunteer(Versioned, Base):
    """特长户: a resident who offers their skills (the catalogue dispatch matches orders with).
    `active` false: they stepped back; the row stays for history and for dispatch's projection."""

    __tablename__ = "volunteers"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    skills: Mapped[list[str]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)


class TeamMember(Base):
    __tablename__ = "volunteer_team_members"
    team_id: Mapped[int] = mapped_column(ForeignKey("volunteer_teams.id"), primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
