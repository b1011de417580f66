"""Each compound's eligibility rule (which ledgers take its orders and claim its wishes)."""

from __future__ import annotations

from sqlalchemy import JSON, Integer
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.base import Base


class EligibilityRow(Base):
    """A compound's rule; no row = the default (in-service members who checked in, retired
    members who live there)."""

    __tablename__ = "eligibility_rules"
    compound_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ledgers: Mapped[list[str]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
