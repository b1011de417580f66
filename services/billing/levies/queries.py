"""Reads of levies the routes answer with."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.levies.models import levies


async def levies_of(session: AsyncSession, compound_id: int) -> list[dict[str, Any]]:
    """A compound's levies, oldest first, as plain rows."""
    rows = await session.execute(
        select(levies).where(levies.c.compound_id == compound_id).order_by(levies.c.created_at)
    )
    return [r._asdict() for r in rows]
