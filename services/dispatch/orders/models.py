"""Orders, their timeline (every transition a row) and the offers made to party members."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.base import Base, Timestamped
from shared.db import UTCDateTime


class Order(Timestamped, Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_compound_state", "compound_id", "state"),
        Index("ix_orders_grid_state", "grid_id", "state"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer)
    compound_id: Mapped[int] = mapped_column(Integer)
    grid_id: Mapped[int | None] = mapped_column(Integer)
    community_id: Mapped[int] = mapped_column(Integer, index=True)
    street_id: Mapped[int | None] = mapped_column(Integer, index=True)
    household_id: Mapped[int | None] = mapped_column(Integer, index=True)
    dwelling_id: Mapped[int | None] = mapped_column(Integer)
    place: Mapped[str | None] = mapped_column(String(200))
    # Where an Open311 client says it is (WGS-84), kept and returned as it came.
    lat: Mapped[float | None] = mapped_column(Float)
    long: Mapped[float | None] = mapped_column(Float)
    requester_person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    recorded_by_person_id: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    fields: Mapped[dict[str, str]] = mapped_column(JSON)
    photos: Mapped[list[str]] = mapped_column(JSON)
    urgency: Mapped[str] = mapped_column(String(20))
    dispatch_mode: Mapped[str] = mapped_column(String(20))
    triage: Mapped[str | None] = mapped_column(String(20))
    triage_note: Mapped[dict[str, Any]] = mapped_column(JSON)
    provider: Mapped[str | None] = mapped_column(String(20))
    assignee_member_id: Mapped[int | None] = mapped_column(Integer, index=True)
    assignee_person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    offers_made: Mapped[int] = mapped_column(Integer, default=0)
    escalation_level: Mapped[str] = mapped_column(String(20))
    co_handlers: Mapped[list[int]] = mapped_column(JSON)
    summary: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    source_ref: Mapped[str | None] = mapped_column(String(80), unique=True)
    sla_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrderEntry(Base):
    """One line of an order's timeline: who did what, from which state to which."""

    __tablename__ = "order_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_person_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class Offer(Base):
    """An order offered to one party member (assign: one; grab: every eligible one)."""

    __tablename__ = "offers"
    __table_args__ = (UniqueConstraint("order_id", "party_member_id", "round"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    party_member_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
