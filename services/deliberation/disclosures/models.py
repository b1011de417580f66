"""Disclosures (公示) the supervisory committee publishes: decisions, tallies, spending."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.deliberation.base import Base
from shared.db import UTCDateTime


class Disclosure(Base):
    __tablename__ = "disclosures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    proposal_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    published_by_person_id: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    audit_hash: Mapped[str] = mapped_column(String(64))
