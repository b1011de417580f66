"""Writing and reading the live-task feed. A recipient is a person (`person:7`) or a place whose
staff share a feed (`grid:3`, `community:2`, `street:1`); each caller reads the feeds of the
person and places their token names."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.stream.models import FeedCounter, FeedItem
from shared.auth import Principal, Role
from shared.sse import FeedFrame, bump_counters, format_cursor, mark_written, parse_cursor

__all__ = ["format_cursor", "frames_after", "items_after", "latest", "notify", "parse_cursor", "recipients_of"]


def recipients_of(principal: Principal) -> list[str]:
    """The feeds a caller reads: their own and those of the places they staff."""
    keys = [f"person:{principal.person_id}"] if principal.person_id is not None else []
    # Party members read their compound's feed too: new micro-wishes are posted there.
    places = {
        Role.grid_worker: "grid",
        Role.community_admin: "community",
        Role.street_admin: "street",
        Role.party_member: "compound",
    }
    for grant in principal.grants:
        kind = places.get(grant.role)
        if kind is not None and grant.scope_kind == kind:
            keys.append(f"{kind}:{grant.scope_id}")
    return sorted(set(keys))


async def notify(
    session: AsyncSession,
    recipients: Iterable[str],
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    order_id: str | None = None,
) -> None:
    """Queue a feed item for each recipient in the caller's transaction."""
    seqs = await bump_counters(session, FeedCounter.recipient, FeedCounter.last_seq, recipients)
    for recipient, seq in sorted(seqs.items()):
        session.add(
            FeedItem(recipient=recipient, seq=seq, kind=kind, order_id=order_id, payload=payload, created_at=now)
        )
    mark_written(session)


async def items_after(session: AsyncSession, cursor: dict[str, int], limit: int = 200) -> list[FeedItem]:
    """Items past the cursor for each of its recipients, oldest first."""
    found: list[FeedItem] = []
    for recipient, seen in cursor.items():
        rows = await session.scalars(
            select(FeedItem)
            .where(FeedItem.recipient == recipient, FeedItem.seq > seen)
            .order_by(FeedItem.seq)
            .limit(limit)
        )
        found.extend(rows)
    return sorted(found, key=lambda i: (i.created_at, i.id))


async def frames_after(session: AsyncSession, cursor: dict[str, int]) -> list[FeedFrame]:
    """The items past the cursor as stream frames (each says whose feed it came from)."""
    return [
        FeedFrame(i.recipient, i.seq, i.kind, {**i.payload, "recipient": i.recipient})
        for i in await items_after(session, cursor)
    ]


async def latest(session: AsyncSession, recipients: list[str]) -> dict[str, int]:
    """Where each recipient's feed stands now (a fresh connection starts from here)."""
    rows = await session.execute(
        select(FeedCounter.recipient, FeedCounter.last_seq).where(FeedCounter.recipient.in_(recipients))
    )
    now = dict.fromkeys(recipients, 0)
    now.update({str(r): int(s) for r, s in rows.all()})
    return now
