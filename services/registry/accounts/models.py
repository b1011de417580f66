"""Accounts for login (mobile + password) and the administrative grants not derivable from
registry data (street admin, community admin, ops)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.base import Base
from shared.db import UTCDateTime


class Account(Base):
    __tablename__ = "accounts"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    mobile_hash: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    # The lock-out these two counted is gone (login_throttles back off instead); they stay for
    # AccountOut.locked_until and old rows.
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AdminGrant(Base):
    __tablename__ = "admin_grants"
    __table_args__ = (UniqueConstraint("person_id", "role", "scope_kind", "scope_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    scope_kind: Mapped[str | None] = mapped_column(String(20))
    scope_id: Mapped[int | None] = mapped_column(Integer)


class RefreshToken(Base):
    """One refresh token, stored as the SHA-256 of its random value (the value itself is only
    ever in the client's hands). Each use rotates it: the row is marked `rotated_at` and a new
    one joins the same family; presenting a rotated one again means it was copied, and the
    whole family is revoked."""

    __tablename__ = "refresh_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family: Mapped[str] = mapped_column(String(36), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # The roles (JSON claims) the family's access tokens carry; a refresh that finds one of
    # them gone ends the session.
    roles: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(40))


class LoginThrottle(Base):
    """Failed logins in a row under one key: `mobile:<search hash>` (known account or not) or
    `address:<client ip>`."""

    __tablename__ = "login_throttles"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
