"""Notifications: each person's inbox, the delivery outbox (one row per message and external
channel) with its log, each person's channel choices, and the e-mail address they gave for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.base import Base
from shared.db import UTCDateTime


class Notification(Base):
    """One message in one person's inbox (the in-app channel)."""

    __tablename__ = "notifications"
    # One event, one message of a kind per person, even if the event comes twice.
    __table_args__ = (
        UniqueConstraint("dedup_key", "person_id"),
        UniqueConstraint("person_id", "seq"),
        Index("ix_notifications_inbox", "person_id", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    # The message's number in its person's live feed, in commit order (NotificationCounter).
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    event_id: Mapped[str] = mapped_column(String(36))
    dedup_key: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When an open app first showed it (its live stream sent it): opened, as far as an
    # escalation to SMS is concerned.
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationCounter(Base):
    """Each person's last feed number: bumped (and so locked) by the transaction that writes
    their messages, so the live stream's Last-Event-ID never skips a late commit."""

    __tablename__ = "notification_counters"
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class Delivery(Base):
    """The outbox of one message on one external channel: sent when due (quiet hours and
    back-off set `next_attempt_at`), retried until `max attempts`, then failed."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel"),
        Index(
            "ix_notification_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    person_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # An escalation: sent only if the message has not been opened in the app by then.
    unless_opened: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class DeliveryAttempt(Base):
    """The delivery log: every attempt, sent or failed and why (never the message text)."""

    __tablename__ = "notification_delivery_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("notification_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(500))


class Preference(Base):
    """The external channels a person chose for one kind (in-app is always on)."""

    __tablename__ = "notification_preferences"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    channels: Mapped[str] = mapped_column(String(200))  # comma-separated Channel values


class CompoundChannels(Base):
    """The external channels a compound allows for its people's messages (no row: all the
    deployment has on). Set by the compound's admins."""

    __tablename__ = "notification_compound_channels"
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), primary_key=True)
    channels: Mapped[str] = mapped_column(String(200))  # comma-separated Channel values
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WechatBinding(Base):
    """The person's openid in the platform's mini program, encrypted at rest (it never leaves
    the registry but to WeChat)."""

    __tablename__ = "notification_wechat_bindings"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    openid_enc: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WechatConsent(Base):
    """One-time subscriptions a person granted for a template (each 允许 allows one message);
    a message takes one, and WeChat's "no subscription" answer sets them to none."""

    __tablename__ = "notification_wechat_consents"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    template_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    remaining: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Contact(Base):
    """Where a person wants e-mail, encrypted at rest like the mobile number."""

    __tablename__ = "notification_contacts"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    email_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
