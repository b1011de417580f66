"""The inbox: which events a consumer has applied, written in the handler's transaction."""

from __future__ import annotations

from sqlalchemy import Column, PrimaryKeyConstraint, String, Table, func, select
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
