"""The configurable category catalogue; the default rows come from a migration."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.base import Base, Timestamped


class CategoryRow(Timestamped, Base):
    __tablename__ = "categories"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    skills: Mapped[list[str]] = mapped_column(JSON)
    dispatch_mode: Mapped[str] = mapped_column(String(20))
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    shared_property_price_fen: Mapped[int | None] = mapped_column(Integer)
    market_price_fen: Mapped[int | None] = mapped_column(Integer)
    charge_to: Mapped[str] = mapped_column(String(20))
    max_offers: Mapped[int] = mapped_column(Integer)
    sla: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
