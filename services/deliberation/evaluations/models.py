"""The owners' committee's yearly evaluation (业委会履职测评) and the owners' recall request.

Who answered and what they answered are kept in separate tables with no link between them: the
households table refuses a second answer from a household, the scores table has the answers,
and nobody (not even a reader of the database) can tell whose score is whose."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from services.deliberation.base import Base
from shared.db import UTCDateTime


class EvaluationRules(Base):
    """A compound's thresholds, set by its community or street (not by the committee rated)."""

    __tablename__ = "committee_evaluation_rules"
    compound_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    min_satisfaction_bp: Mapped[int] = mapped_column(Integer)
    recall_share_bp: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    set_by_person_id: Mapped[int | None] = mapped_column(Integer)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Evaluation(Base):
    """One year's evaluation round of a compound's committee."""

    __tablename__ = "committee_evaluations"
    __table_args__ = (UniqueConstraint("compound_id", "year", name="uq_committee_evaluations_compound_year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    year: Mapped[int] = mapped_column(Integer)
    opened_by_person_id: Mapped[int | None] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Fixed at closing, with the thresholds of that day.
    min_satisfaction_bp: Mapped[int | None] = mapped_column(Integer)
    below_threshold: Mapped[bool | None] = mapped_column(Boolean)
    proposal_id: Mapped[int | None] = mapped_column(Integer)


class EvaluationHousehold(Base):
    """A household (its dwelling) has answered: one household, one answer."""

    __tablename__ = "committee_evaluation_households"
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("committee_evaluations.id"), primary_key=True)
    dwelling_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class EvaluationScore(Base):
    """An answer, with no household: results are anonymous."""

    __tablename__ = "committee_evaluation_scores"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("committee_evaluations.id"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")


class RecallRequest(Base):
    """Owners' request to correct or replace the committee, collecting households until the
    compound's share is reached; then it opens a proposal on the 131 path."""

    __tablename__ = "committee_recall_requests"
    # One request collects at a time per compound, even when two owners sign first at once.
    __table_args__ = (
        Index(
            "uq_committee_recall_requests_collecting",
            "compound_id",
            unique=True,
            sqlite_where=text("status = 'collecting'"),
            postgresql_where=text("status = 'collecting'"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    proposal_id: Mapped[int | None] = mapped_column(Integer)


class RecallSignature(Base):
    __tablename__ = "committee_recall_signatures"
    request_id: Mapped[int] = mapped_column(ForeignKey("committee_recall_requests.id"), primary_key=True)
    dwelling_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
