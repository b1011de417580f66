"""Reading care zones and inspections as answers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.care_zones import schemas as s
from services.dispatch.care_zones.domain import InspectionResult
from services.dispatch.care_zones.models import CareZone, ZoneInspection
from services.dispatch.credit.models import CreditEntry
from services.dispatch.credit.reading import labels_of
from services.dispatch.projections.models import BuildingView
from shared.pagination import int_cursor, keyset_page


async def zones_out(session: AsyncSession, zones: list[CareZone]) -> list[s.ZoneOut]:
    labels = await labels_of(session, (z.household_id for z in zones if z.household_id is not None))
    numbers = dict(
        (
            await session.execute(
                select(BuildingView.building_id, BuildingView.number).where(
                    BuildingView.building_id.in_({z.building_id for z in zones})
                )
            )
        ).all()
    )
    last: dict[int, ZoneInspection] = {}
    for inspection in await session.scalars(
        select(ZoneInspection).where(ZoneInspection.zone_id.in_([z.id for z in zones])).order_by(ZoneInspection.id)
    ):
        last[inspection.zone_id] = inspection
    out = []
    for z in zones:
        seen = last.get(z.id)
        out.append(
            s.ZoneOut(
                id=z.id,
                compound_id=z.compound_id,
                building_id=z.building_id,
                building_number=str(numbers.get(z.building_id, z.building_id)),
                name=z.name,
                household_id=z.household_id,
                household_label=labels.get(z.household_id) if z.household_id is not None else None,
                version=z.version,
                last_result=seen.result if seen else None,
                last_result_label=InspectionResult(seen.result).label if seen else None,
                last_inspected_at=seen.at if seen else None,
            )
        )
    return out


async def zone_page(
    session: AsyncSession, compound_id: int, building_id: int | None, cursor: str | None, limit: int
) -> s.ZonePage:
    query = select(CareZone).where(CareZone.compound_id == compound_id)
    if building_id is not None:
        query = query.where(CareZone.building_id == building_id)
    after = int_cursor(cursor)
    if after is not None:
        query = query.where(CareZone.id > after)
    rows = (await session.scalars(query.order_by(CareZone.id).limit(limit + 1))).all()
    page, next_cursor = keyset_page(rows, limit, lambda z: z.id)
    return s.ZonePage(items=await zones_out(session, page), next_cursor=next_cursor)


async def inspections_out(session: AsyncSession, rows: list[ZoneInspection]) -> list[s.InspectionOut]:
    labels = await labels_of(session, (i.household_id for i in rows))
    names = dict(
        (
            await session.execute(select(CareZone.id, CareZone.name).where(CareZone.id.in_({i.zone_id for i in rows})))
        ).all()
    )
    entry_ids = [i.credit_entry_id for i in rows if i.credit_entry_id is not None]
    points = dict(
        (await session.execute(select(CreditEntry.id, CreditEntry.points).where(CreditEntry.id.in_(entry_ids)))).all()
    )
    return [
        s.InspectionOut(
            id=i.id,
            zone_id=i.zone_id,
            zone_name=names.get(i.zone_id, ""),
            household_id=i.household_id,
            household_label=labels[i.household_id],
            period=i.period,
            result=i.result,
            result_label=InspectionResult(i.result).label,
            note=i.note,
            photos=[key.rsplit("/", 1)[-1] for key in i.photos],
            inspector_person_id=i.inspector_person_id,
            credit_entry_id=i.credit_entry_id,
            points=points.get(i.credit_entry_id, 0) if i.credit_entry_id is not None else 0,
            at=i.at,
        )
        for i in rows
    ]


async def inspection_page(
    session: AsyncSession,
    *,
    compound_id: int | None,
    household_id: int | None,
    period: str | None,
    cursor: str | None,
    limit: int,
) -> s.InspectionPage:
    query = select(ZoneInspection)
    if compound_id is not None:
        query = query.where(ZoneInspection.compound_id == compound_id)
    if household_id is not None:
        query = query.where(ZoneInspection.household_id == household_id)
    if period is not None:
        query = query.where(ZoneInspection.period == period)
    after = int_cursor(cursor)
    if after is not None:
        query = query.where(ZoneInspection.id < after)
    rows = (await session.scalars(query.order_by(ZoneInspection.id.desc()).limit(limit + 1))).all()
    page, next_cursor = keyset_page(rows, limit, lambda i: i.id)
    return s.InspectionPage(items=await inspections_out(session, page), next_cursor=next_cursor)


async def my_zone(session: AsyncSession, household_id: int) -> s.MyZone:
    zone = await session.scalar(select(CareZone).where(CareZone.household_id == household_id))
    page = await inspection_page(
        session, compound_id=None, household_id=household_id, period=None, cursor=None, limit=20
    )
    labels = await labels_of(session, [household_id])
    return s.MyZone(
        household_id=household_id,
        household_label=labels[household_id],
        zone=(await zones_out(session, [zone]))[0] if zone is not None else None,
        inspections=page.items,
    )
