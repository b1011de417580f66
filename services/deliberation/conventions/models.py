"""Conventions (公约) of a compound, courtyard, building or entrance, and their clauses: each
clause a numbered, versioned text linked to the decision that made it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.deliberation.base import Base, Versioned
from shared.db import UTCDateTime


class Convention(Versioned, Base):
    __tablename__ = "conventions"
    __table_args__ = (UniqueConstraint("level", "place_id"),)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    level: Mapped[str] = mapped_column(String(20))
    place_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))


class Clause(Base):
    __tablename__ = "clauses"
    __table_args__ = (UniqueConstraint("convention_id", "number", "revision"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("conventions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    vote_id: Mapped[int | None] = mapped_column(Integer)
    current: Mapped[bool] = mapped_column(Boolean)
    adopted_by_person_id: Mapped[int] = mapped_column(Integer)
    adopted_at: Mapped[datetime] = mapped_column(UTCDateTime)
