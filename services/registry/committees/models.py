"""Membership of a compound's bodies: council (议事会), owners' committee (业委会), property /
self-management committee, supervisory committee (监委会)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.base import Base, Versioned


class Membership(Versioned, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("person_id", "body", "compound_id"),)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    body: Mapped[str] = mapped_column(String(40))
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
