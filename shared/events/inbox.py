"""The inbox: which events a consumer has applied, written in the handler's transaction.

A consumer claims events before applying them: one multi-row `INSERT … ON CONFLICT DO NOTHING
RETURNING event_id` per batch (PostgreSQL and SQLite alike) says which of them are new, and only
those are applied, in the same transaction. A duplicate (a redelivery, or the same event twice
in one batch) comes back absent and changes nothing; on PostgreSQL a replica applying the same
event at that moment holds its row's lock, so this insert waits for it and then skips it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, PrimaryKeyConstraint, String, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import UTCDateTime, plumbing_metadata

inbox = Table(
    "inbox",
    plumbing_metadata,
    Column("consumer", String(100), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("applied_at", UTCDateTime, nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer", "event_id"),
)


async def claim(session: AsyncSession, consumer: str, events: Sequence[tuple[str, str]]) -> set[str]:
    """Record these (event id, type) pairs as applied by `consumer`, in the caller's transaction;
    returns the ids that were new (the ones to apply). One statement per batch."""
    seen: dict[str, str] = {}
    for event_id, event_type in events:
        seen.setdefault(event_id, event_type)  # the same event twice in a batch: claimed once
    if not seen:
        return set()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(inbox)
        .on_conflict_do_nothing(index_elements=[inbox.c.consumer, inbox.c.event_id])
        .returning(inbox.c.event_id)
    )
    # Compiled once and cached; SQLAlchemy sends it as multi-row VALUES … RETURNING.
    rows = [{"consumer": consumer, "event_id": i, "event_type": t} for i, t in seen.items()]
    return set(await session.scalars(statement, rows))


async def claim_one(session: AsyncSession, consumer: str, event_id: str, event_type: str) -> bool:
    """One event: True if it is new here (apply it), False if it was applied already."""
    return bool(await claim(session, consumer, [(event_id, event_type)]))


async def already_applied(session: AsyncSession, consumer: str, event_id: str) -> bool:
    found = await session.scalar(
        select(inbox.c.event_id).where(inbox.c.consumer == consumer, inbox.c.event_id == event_id)
    )
    return found is not None


async def record_applied(session: AsyncSession, consumer: str, event_id: str, event_type: str) -> None:
    """Insert the inbox row; a concurrent duplicate fails on the primary key and rolls back."""
    await session.execute(inbox.insert().values(consumer=consumer, event_id=event_id, event_type=event_type))


async def applied_among(session: AsyncSession, consumer: str, event_ids: list[str]) -> set[str]:
    """Which of these events this consumer has already applied."""
    rows = await session.scalars(
        select(inbox.c.event_id).where(inbox.c.consumer == consumer, inbox.c.event_id.in_(event_ids))
    )
    return set(rows)


async def record_all_applied(session: AsyncSession, consumer: str, events: list[tuple[str, str]]) -> None:
    """One insert for a batch's inbox rows."""
    if events:
        await session.execute(
            inbox.insert(), [{"consumer": consumer, "event_id": i, "event_type": t} for i, t in events]
        )
