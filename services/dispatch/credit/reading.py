"""Reading household credit: the doors of households (1-1-301), entries as answers, balances and
a month's conduct per household."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.dispatch.credit import schemas as s
from services.dispatch.credit.domain import PENALTIES, CreditReason, HouseholdMonth
from services.dispatch.credit.models import CreditEntry
from services.dispatch.projections.models import BuildingView, DwellingView, EntranceView, HouseholdView
from shared.pagination import int_cursor, keyset_page


async def labels_of(session: AsyncSession, household_ids: Iterable[int]) -> dict[int, str]:
    """Each household's door, building-entrance-room (1-1-301), as the registry names them;
    `户 <id>` while the dwelling has not reached dispatch."""
    ids = sorted(set(household_ids))
    rows = (
        await session.execute(
            select(HouseholdView.household_id, BuildingView.number, EntranceView.number, DwellingView.room)
            .join(DwellingView, DwellingView.dwelling_id == HouseholdView.dwelling_id)
            .join(BuildingView, BuildingView.building_id == DwellingView.building_id)
            .join(EntranceView, EntranceView.entrance_id == DwellingView.entrance_id)
            .where(HouseholdView.household_id.in_(ids))
        )
    ).all()
    found = {r[0]: f"{r[1]}-{r[2]}-{r[3]}" for r in rows}
    return {h: found.get(h, f"户 {h}") for h in ids}


async def show(session: AsyncSession, entries: list[CreditEntry]) -> list[s.CreditEntryOut]:
    labels = await labels_of(session, (e.household_id for e in entries))
    rows = await session.execute(
        select(CreditEntry.reverses_entry_id, CreditEntry.id).where(
            CreditEntry.reverses_entry_id.in_([e.id for e in entries])
        )
    )
    reversals: dict[int | None, int] = {row[0]: row[1] for row in rows}
    return [
        s.CreditEntryOut(
            id=e.id,
            compound_id=e.compound_id,
            household_id=e.household_id,
            household_label=labels[e.household_id],
            period=e.period,
            reason=e.reason,
            reason_label=CreditReason(e.reason).label,
            points=e.points,
            note=e.note,
            item_id=e.item_id,
            quantity=e.quantity,
            reverses_entry_id=e.reverses_entry_id,
            reversed_by_entry_id=reversals.get(e.id),
            by_person_id=e.by_person_id,
            at=e.at,
        )
        for e in entries
    ]


async def balance_of(session: AsyncSession, household_id: int) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(CreditEntry.points), 0)).where(CreditEntry.household_id == household_id)
    )
    return int(total or 0)


async def entry_page(
    session: AsyncSession,
    *,
    compound_id: int | None,
    household_id: int | None,
    period: str | None,
    cursor: str | None,
    limit: int,
) -> s.CreditEntryPage:
    query = select(CreditEntry)
    if compound_id is not None:
        query = query.where(CreditEntry.compound_id == compound_id)
    if household_id is not None:
        query = query.where(CreditEntry.household_id == household_id)
    if period is not None:
        query = query.where(CreditEntry.period == period)
    after = int_cursor(cursor)
    if after is not None:
        query = query.where(CreditEntry.id < after)
    rows = (await session.scalars(query.order_by(CreditEntry.id.desc()).limit(limit + 1))).all()
    page, next_cursor = keyset_page(rows, limit, lambda e: e.id)
    return s.CreditEntryPage(items=await show(session, page), next_cursor=next_cursor)


async def months(session: AsyncSession, compound_id: int, period: str) -> list[HouseholdMonth]:
    """Each household's conduct in the month: points, merits and demerits, reversals netted
    out (an entry and its reversal count for nothing), spending left out."""
    reversal = aliased(CreditEntry)
    penalties = [r.value for r in PENALTIES]
    conduct = CreditEntry.reason != CreditReason.redeemed.value
    # An entry counts as a merit or demerit unless it is a reversal or has been reversed.
    standing = (CreditEntry.reverses_entry_id.is_(None)) & (reversal.id.is_(None))
    rows = (
        await session.execute(
            select(
                CreditEntry.household_id,
                func.sum(CreditEntry.points).label("points"),
                func.sum(case((standing & CreditEntry.reason.not_in(penalties), 1), else_=0)).label("merits"),
                func.sum(case((standing & CreditEntry.reason.in_(penalties), 1), else_=0)).label("demerits"),
            )
            .outerjoin(reversal, reversal.reverses_entry_id == CreditEntry.id)
            .where(CreditEntry.compound_id == compound_id, CreditEntry.period == period, conduct)
            .group_by(CreditEntry.household_id)
        )
    ).all()
    labels = await labels_of(session, (r.household_id for r in rows))
    return [
        HouseholdMonth(r.household_id, labels[r.household_id], int(r.points), int(r.merits), int(r.demerits))
        for r in rows
    ]


async def account(session: AsyncSession, household: HouseholdView, period: str) -> s.HouseholdCredit:
    month = await session.scalar(
        select(func.coalesce(func.sum(CreditEntry.points), 0)).where(
            CreditEntry.household_id == household.household_id,
            CreditEntry.period == period,
            CreditEntry.reason != CreditReason.redeemed.value,
        )
    )
    labels = await labels_of(session, [household.household_id])
    return s.HouseholdCredit(
        household_id=household.household_id,
        household_label=labels[household.household_id],
        compound_id=household.compound_id,
        balance=await balance_of(session, household.household_id),
        period=period,
        month_points=int(month or 0),
    )
