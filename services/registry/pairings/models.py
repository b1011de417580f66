"""包联 pairings, published on the compound's wall (上墙公示)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.base import Base, Versioned


class Pairing(Versioned, Base):
    """cadre → compound, in-service member → household, or center household → needy household."""

    __tablename__ = "pairings"
    kind: Mapped[str] = mapped_column(String(30))
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    cadre_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    party_member_id: Mapped[int | None] = mapped_column(ForeignKey("party_members.id"), index=True)
    center_household_id: Mapped[int | None] = mapped_column(ForeignKey("center_households.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
