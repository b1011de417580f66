"""Votes: the notice, its items (classification frozen into them), the electorate fixed at
opening, written proxies and the ballots."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.deliberation.base import Base, Versioned
from shared.db import UTCDateTime
from shared.events.outbox import BigId


class Vote(Versioned, Base):
    __tablename__ = "votes"
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(20))
    noticed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    extension_days: Mapped[int | None] = mapped_column(Integer)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    non_voters_follow_majority: Mapped[bool] = mapped_column(Boolean, default=False)
    noticed_by_person_id: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(20))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tally_hash: Mapped[str | None] = mapped_column(String(64))
    tally_certified_by: Mapped[int | None] = mapped_column(Integer)
    # When the owners were reminded that the vote closes within a day (once per vote).
    closing_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VoteItem(Base):
    __tablename__ = "vote_items"
    __table_args__ = (UniqueConstraint("vote_id", "position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    matter: Mapped[str] = mapped_column(String(40))
    threshold: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    result: Mapped[str | None] = mapped_column(Text)


class ElectorDwelling(Base):
    """A dwelling of the electorate fixed when the vote opened, with its voting person's key."""

    __tablename__ = "elector_dwellings"
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    dwelling_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    building_id: Mapped[int] = mapped_column(Integer)
    area_centi: Mapped[int] = mapped_column(Integer)
    person_key: Mapped[str] = mapped_column(String(40))


class Elector(Base):
    """An owner who may cast the ballot of a voting person (co-owners share one key)."""

    __tablename__ = "electors"
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    person_key: Mapped[str] = mapped_column(String(40))


class Proxy(Base):
    """A written proxy (书面委托): the owner, the agent, and the mandate in writing."""

    __tablename__ = "proxies"
    __table_args__ = (UniqueConstraint("vote_id", "principal_person_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), index=True)
    principal_person_id: Mapped[int] = mapped_column(Integer)
    agent_person_id: Mapped[int] = mapped_column(Integer)
    mandate: Mapped[str] = mapped_column(Text)
    document_ref: Mapped[str | None] = mapped_column(String(200))
    recorded_by_person_id: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Ballot(Base):
    """One voting person's choice on one item; changed in place until closing (version counts)."""

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("item_id", "person_key"),
        Index("ix_ballots_vote_id_person_key", "vote_id", "person_key"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("vote_items.id"))
    person_key: Mapped[str] = mapped_column(String(40))
    choice: Mapped[str] = mapped_column(String(10))
    via: Mapped[str] = mapped_column(String(10))
    cast_by_person_id: Mapped[int | None] = mapped_column(Integer)
    proxy_id: Mapped[int | None] = mapped_column(Integer)
    entered_by_person_id: Mapped[int | None] = mapped_column(Integer)
    witness_person_id: Mapped[int | None] = mapped_column(Integer)
    sheet_no: Mapped[str | None] = mapped_column(String(40))
    nonce: Mapped[str] = mapped_column(String(32))
    receipt: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # False until the ballot's entry is in the compound's audit chain (the chainer appends
    # online ballots in batches, so voters never queue on the chain head).
    chained: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # A paper ballot waits for the witness it names to confirm it with their own login; until
    # then it holds the voter's place (no second ballot) but does not count.
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    witnessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeveloperRepresentative(Base):
    """The person who acts for the developer (建设单位) in a compound's votes: the developer's
    unsold and undelivered dwellings are one voting person with no registry identity of its
    own, so an authorised representative signs in with their own registry account and casts
    that person's ballot, changes it, or appoints a proxy for it. One at a time per compound;
    replacing one ends the previous appointment (kept for the record)."""

    __tablename__ = "developer_representatives"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer)
    developer_name: Mapped[str] = mapped_column(String(200))
    document_ref: Mapped[str] = mapped_column(String(200))
    appointed_by_person_id: Mapped[int] = mapped_column(Integer)
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
