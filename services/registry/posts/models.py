"""A compound's service posts and who holds them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.base import Base, Versioned
from shared.db import UTCDateTime


class ServicePost(Versioned, Base):
    """岗位: 楼道照明维护岗, 灭火器查验岗, 普法宣传岗 …, with how many members it takes."""

    __tablename__ = "service_posts"
    __table_args__ = (UniqueConstraint("compound_id", "name"),)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    duty: Mapped[str] = mapped_column(String(500), default="")
    seats: Mapped[int] = mapped_column(Integer, default=1)


class PostClaim(Base):
    """A member holding a post from `claimed_at` until released. Seed 002: each member claims one
    post, so a member holds at most one at a time (the database says so too)."""

    __tablename__ = "service_post_claims"
    __table_args__ = (
        Index(
            "ux_service_post_claims_one_per_member",
            "party_member_id",
            unique=True,
            postgresql_where=text("released_at IS NULL"),
            sqlite_where=text("released_at IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("service_posts.id"), index=True)
    party_member_id: Mapped[int] = mapped_column(ForeignKey("party_members.id"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
