"""Accounts for login (mobile + password) and the administrative grants not derivable from
registry data (street admin, community admin, ops)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.base import Base


class Account(Base):
    __tablename__ = "accounts"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    mobile_hash: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AdminGrant(Base):
    __tablename__ = "admin_grants"
    __table_args__ = (UniqueConstraint("person_id", "role", "scope_kind", "scope_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    scope_kind: Mapped[str | None] = mapped_column(String(20))
    scope_id: Mapped[int | None] = mapped_column(Integer)
