"""Writing and reading the live-task feed. A recipient is a person (`person:7`) or a place whose
staff share a feed (`grid:3`, `community:2`, `street:1`); each caller reads the feeds of the
person and places their token names."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.stream.models import FeedCounter, FeedItem
from shared.auth import Principal, Role

SESSION_FLAG = "linli_dispatch_feed_written"


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


async def _next_seq(session: AsyncSession, recipient: str) -> int:
    # One counter row per recipient, bumped by an upsert: the row stays locked until this
    # transaction ends, so a recipient's numbers are handed out in commit order.
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(FeedCounter)
        .values(recipient=recipient, last_seq=1)
        .on_conflict_do_update(index_elements=[FeedCounter.recipient], set_={"last_seq": FeedCounter.last_seq + 1})
        .returning(FeedCounter.last_seq)
    )
    return int((await session.execute(stmt)).scalar_one())


async def notify(
    session: AsyncSession,
    recipients: Iterable[str],
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    order_id: str | None = None,
) -> None:
    """Queue a feed item for each recipient in the caller's transaction."""
    for recipient in sorted(set(recipients)):
        seq = await _next_seq(session, recipient)
        session.add(
            FeedItem(recipient=recipient, seq=seq, kind=kind, order_id=order_id, payload=payload, created_at=now)
        )
    session.info[SESSION_FLAG] = True


def parse_cursor(last_event_id: str | None) -> dict[str, int]:
    """`grid:3=12,person:7=4` → {"grid:3": 12, "person:7": 4}; junk parts are ignored."""
    cursor: dict[str, int] = {}
    for part in (last_event_id or "").split(","):
        key, _, value = part.strip().rpartition("=")
        if key and value.isdigit():
            cursor[key] = int(value)
    return cursor


def format_cursor(cursor: dict[str, int]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(cursor.items()))


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


async def latest(session: AsyncSession, recipients: list[str]) -> dict[str, int]:
    """Where each recipient's feed stands now (a fresh connection starts from here)."""
    rows = await session.execute(
        select(FeedCounter.recipient, FeedCounter.last_seq).where(FeedCounter.recipient.in_(recipients))
    )
    now = dict.fromkeys(recipients, 0)
    now.update({str(r): int(s) for r, s in rows.all()})
    return now
