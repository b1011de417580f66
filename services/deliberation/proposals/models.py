"""Proposals and what hangs on them: the committee's plan and its members' votes, the art. 278
classification, the supervisory committee's objections, execution milestones, evaluation
ratings and contests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.deliberation.base import Base, Versioned
from shared.db import UTCDateTime
from shared.events.outbox import BigId


class Proposal(Versioned, Base):
    __tablename__ = "proposals"
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40), default="other")
    origin: Mapped[str] = mapped_column(String(20))
    origin_order_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    submitted_by_person_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(30))
    triage: Mapped[str | None] = mapped_column(String(20))
    triage_note: Mapped[str | None] = mapped_column(Text)
    council_resolution: Mapped[str | None] = mapped_column(String(20))
    council_note: Mapped[str | None] = mapped_column(Text)
    council_rounds: Mapped[int] = mapped_column(Integer, default=0)
    classification_cosigned_by: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Plan(Base):
    """How the committee would do it (怎么办): budget, funding source and levy."""

    __tablename__ = "plans"
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True, autoincrement=False)
    summary: Mapped[str] = mapped_column(Text)
    budget_fen: Mapped[int] = mapped_column(BigId)
    funding_source: Mapped[str] = mapped_column(String(30))
    levy_formula: Mapped[str | None] = mapped_column(String(20))
    levy_total_fen: Mapped[int | None] = mapped_column(BigId)
    levy_per_household_fen: Mapped[int | None] = mapped_column(BigId)
    levy_due_date: Mapped[str | None] = mapped_column(String(10))
    building_ids: Mapped[str] = mapped_column(Text, default="[]")
    reserved_matter: Mapped[bool] = mapped_column(Boolean, default=False)
    drafted_by_person_id: Mapped[int] = mapped_column(Integer)
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CommitteeVote(Base):
    """One committee member's own vote on the plan (no proxies in committee decisions)."""

    __tablename__ = "committee_votes"
    __table_args__ = (UniqueConstraint("proposal_id", "person_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    person_id: Mapped[int] = mapped_column(Integer)
    choice: Mapped[str] = mapped_column(String(10))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClassificationItem(Base):
    """One item the owners will vote on, with the art. 278 matter and threshold it falls under."""

    __tablename__ = "classification_items"
    __table_args__ = (UniqueConstraint("proposal_id", "position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    matter: Mapped[str] = mapped_column(String(40))
    threshold: Mapped[str] = mapped_column(String(20))


class Objection(Versioned, Base):
    """The supervisory committee's objection: it holds the proposal until answered."""

    __tablename__ = "objections"
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    raised_by_person_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_person_id: Mapped[int | None] = mapped_column(Integer)


class Milestone(Base):
    """An execution step of a passed plan; one that needs hands becomes a dispatch order."""

    __tablename__ = "milestones"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40))
    dispatched: Mapped[bool] = mapped_column(Boolean)
    spent_fen: Mapped[int] = mapped_column(BigId, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_person_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Rating(Base):
    """A resident's rating at the evaluation meeting (群众评议会), 1–5."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("proposal_id", "person_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    person_id: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Contest(Base):
    """An owner's challenge of a decision within the one-year period."""

    __tablename__ = "contests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    person_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
