"""A mediation case, its parties (with the mediator each chose) and its sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.base import Base
from shared.auth import Place
from shared.db import UTCDateTime, Versioned


class MediationCase(Versioned, Base):
    """One matter brought to mediation in a compound; where it lies decides who may read it."""

    __tablename__ = "mediation_cases"
    __table_args__ = (Index("ix_mediation_cases_compound_state", "compound_id", "state"),)
    compound_id: Mapped[int] = mapped_column(Integer)
    grid_id: Mapped[int | None] = mapped_column(Integer, index=True)
    community_id: Mapped[int] = mapped_column(Integer, index=True)
    street_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))
    filed_by_person_id: Mapped[int | None] = mapped_column(Integer)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mediator_kind: Mapped[str | None] = mapped_column(String(20))
    mediator_person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    mediator_name: Mapped[str | None] = mapped_column(String(100))
    mediator_chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agreement: Mapped[str | None] = mapped_column(Text)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_note: Mapped[str | None] = mapped_column(Text)
    follow_up_kept: Mapped[bool | None] = mapped_column(Boolean)
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followed_up_by_person_id: Mapped[int | None] = mapped_column(Integer)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def place(self) -> Place:
        return Place(
            street_id=self.street_id, community_id=self.community_id, grid_id=self.grid_id, compound_id=self.compound_id
        )


class MediationParty(Base):
    """A party to a case, and the mediator this party chose (the case moves on once every party
    chose the same one)."""

    __tablename__ = "mediation_parties"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id"), index=True)
    side: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    household_id: Mapped[int | None] = mapped_column(Integer)
    # A company or a committee may be a party (业主与物业纠纷): named, with no person behind it.
    organisation: Mapped[str | None] = mapped_column(String(100))
    chosen_kind: Mapped[str | None] = mapped_column(String(20))
    chosen_person_id: Mapped[int | None] = mapped_column(Integer)
    chosen_name: Mapped[str | None] = mapped_column(String(100))
    chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MediationSession(Base):
    """A meeting of the parties with the mediator: when, where, who came, what was said."""

    __tablename__ = "mediation_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id"), index=True)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(100))
    attendees: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text)
    recorded_by_person_id: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
