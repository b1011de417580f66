"""Plans with their posts and call lists, and each activation with its roll call and timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.base import Base, Versioned
from shared.db import UTCDateTime


class EmergencyPlan(Versioned, Base):
    """应急动员预案: one per compound and kind of incident (seed 002: every compound has its plan)."""

    __tablename__ = "emergency_plans"
    __table_args__ = (UniqueConstraint("compound_id", "incident_kind"),)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    incident_kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    # 处置要点: what the plan asks for, read by whoever activates it.
    guidance: Mapped[str] = mapped_column(String(2000), default="")


class EmergencyPost(Base):
    """A post of a plan (卡口值守, 物资保障, 入户排查 …): where the called go."""

    __tablename__ = "emergency_posts"
    __table_args__ = (UniqueConstraint("plan_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("emergency_plans.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(200), default="")


class EmergencyCallee(Base):
    """One person on a plan's call list, with the post they go to and why they are called."""

    __tablename__ = "emergency_callees"
    __table_args__ = (UniqueConstraint("plan_id", "person_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("emergency_plans.id"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("emergency_posts.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))


class EmergencyActivation(Versioned, Base):
    """One activation of a plan, real or a drill (演练), at a response level, until closed. The
    plan's kind and the compound are copied so the record stays whole if the plan changes."""

    __tablename__ = "emergency_activations"
    plan_id: Mapped[int] = mapped_column(ForeignKey("emergency_plans.id"), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    incident_kind: Mapped[str] = mapped_column(String(30))
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    situation: Mapped[str] = mapped_column(String(1000))
    activated_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str | None] = mapped_column(String(2000))


class RollCall(Base):
    """One person called by an activation: the message sent, when they acknowledged and when
    they reported at their post."""

    __tablename__ = "emergency_roll_calls"
    __table_args__ = (UniqueConstraint("activation_id", "person_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    activation_id: Mapped[int] = mapped_column(ForeignKey("emergency_activations.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("emergency_posts.id"))
    role: Mapped[str] = mapped_column(String(30))
    # Not a foreign key: an erased person's inbox goes with them, their line of the record stays.
    notification_id: Mapped[int | None] = mapped_column(Integer)
    called_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    at_post_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ActivationEntry(Base):
    """A line of an activation's timeline (the record it ends with)."""

    __tablename__ = "emergency_timeline"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    activation_id: Mapped[int] = mapped_column(ForeignKey("emergency_activations.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    step: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str] = mapped_column(String(1000), default="")
    # How many people this step told (a roll call, an escalation's staff), for the record.
    notified: Mapped[int] = mapped_column(Integer, default=0)
