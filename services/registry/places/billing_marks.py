"""Which dwellings and households have a billing history, as billing's events tell the registry
(bills issued, payment booked): a place with bills or payments is not removed (removal.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.places.models import BilledPlace, Dwelling


async def _mark(session: AsyncSession, compound_id: int, dwelling_id: int, household_id: int | None) -> None:
    """One row per dwelling (and per household paying for it); a second delivery adds nothing."""
    seen = await session.scalar(
        select(BilledPlace.id).where(
            BilledPlace.dwelling_id == dwelling_id,
            BilledPlace.household_id.is_(None) if household_id is None else BilledPlace.household_id == household_id,
        )
    )
    if seen is None:
        session.add(BilledPlace(compound_id=compound_id, dwelling_id=dwelling_id, household_id=household_id))
        await session.flush()


async def bills_issued(session: AsyncSession, compound_id: int, dwelling_ids: list[int] | None) -> None:
    """Bills went out to these dwellings (an event without the list covers the whole compound)."""
    if dwelling_ids is None:
        dwelling_ids = list(await session.scalars(select(Dwelling.id).where(Dwelling.compound_id == compound_id)))
    for dwelling_id in sorted(set(dwelling_ids)):
        await _mark(session, compound_id, dwelling_id, None)


async def payment_booked(session: AsyncSession, compound_id: int, dwelling_id: int, household_id: int | None) -> None:
    """Money came in for a dwelling (paid by one of its households, when the payment names it)."""
    await _mark(session, compound_id, dwelling_id, None)
    if household_id is not None:
        await _mark(session, compound_id, dwelling_id, household_id)
