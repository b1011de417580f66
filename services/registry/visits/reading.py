"""Reading the visit ledger: one place's visits, for the staff of that place, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.people.models import Person
from services.registry.people.staff import require_area_staff
from services.registry.places.models import Building, Community, Compound, Dwelling, Entrance, Grid, Household
from services.registry.scope import Area, compound_area
from services.registry.visits import schemas as s
from services.registry.visits.models import HouseholdVisit
from shared.auth import Principal
from shared.errors import InvalidInput, NotFound
from shared.pagination import int_cursor, keyset_page


@dataclass(frozen=True)
class Where:
    """A household with its address and the places above it."""

    household_id: int
    address: str
    compound_name: str
    area: Area


async def household_place(session: AsyncSession, household_id: int) -> Where:
    row = (
        await session.execute(
            select(Household.compound_id, Building.number, Entrance.number, Dwelling.room, Compound.name)
            .join(Dwelling, Dwelling.id == Household.dwelling_id)
            .join(Entrance, Entrance.id == Dwelling.entrance_id)
            .join(Building, Building.id == Dwelling.building_id)
            .join(Compound, Compound.id == Household.compound_id)
            .where(Household.id == household_id)
        )
    ).first()
    if row is None:
        raise NotFound(
            f"住户 {household_id} 不存在",
            f"Household {household_id} not found",
            details={"field": "household_id", "value": household_id},
        )
    compound_id, building, entrance, room, compound_name = row
    return Where(
        household_id, f"{building}号楼{entrance}单元{room}室", compound_name, await compound_area(session, compound_id)
    )


async def grid_area(session: AsyncSession, grid_id: int) -> Area:
    row = (
        await session.execute(
            select(Grid.community_id, Community.street_id)
            .join(Community, Community.id == Grid.community_id)
            .where(Grid.id == grid_id)
        )
    ).first()
    if row is None:
        raise NotFound(
            f"网格 {grid_id} 不存在", f"Grid {grid_id} not found", details={"field": "grid_id", "value": grid_id}
        )
    return Area(street_id=row.street_id, community_id=row.community_id, grid_id=grid_id)


async def show(session: AsyncSession, visits: list[HouseholdVisit]) -> list[s.HouseholdVisitOut]:
    """Each visit with its household's address, its compound's and its visitor's names."""
    households = {v.household_id for v in visits}
    addresses = {
        hid: (f"{b}号楼{e}单元{r}室", name)
        for hid, b, e, r, name in await session.execute(
            select(Household.id, Building.number, Entrance.number, Dwelling.room, Compound.name)
            .join(Dwelling, Dwelling.id == Household.dwelling_id)
            .join(Entrance, Entrance.id == Dwelling.entrance_id)
            .join(Building, Building.id == Dwelling.building_id)
            .join(Compound, Compound.id == Household.compound_id)
            .where(Household.id.in_(households))
        )
    }
    visitors = {v.visitor_person_id for v in visits if v.visitor_person_id is not None}
    people = await session.execute(select(Person.id, Person.name).where(Person.id.in_(visitors)))
    names: dict[int, str] = {row.id: row.name for row in people}
    return [
        s.HouseholdVisitOut(
            id=v.id,
            household_id=v.household_id,
            address=addresses[v.household_id][0],
            compound_id=v.compound_id,
            compound_name=addresses[v.household_id][1],
            grid_id=v.grid_id,
            visitor_person_id=v.visitor_person_id,
            visitor_name=names.get(v.visitor_person_id) if v.visitor_person_id is not None else None,
            visited_at=v.visited_at,
            found=v.found,
            follow_up_needed=v.follow_up_needed,
            follow_up=v.follow_up,
            created_at=v.created_at,
        )
        for v in visits
    ]


async def list_visits(
    session: AsyncSession,
    principal: Principal,
    *,
    household_id: int | None,
    compound_id: int | None,
    grid_id: int | None,
    follow_up_needed: bool | None,
    cursor: str | None,
    limit: int,
) -> s.HouseholdVisitPage:
    """One place's ledger (a household, a compound or a grid) for the staff of that place or
    above: its grid worker, the admins of its community and street, ops."""
    named = [
        (k, v) for k, v in (("household_id", household_id), ("compound_id", compound_id), ("grid_id", grid_id)) if v
    ]
    if len(named) != 1:
        raise InvalidInput(
            "请指定一个范围：household_id、compound_id 或 grid_id 之一",
            "Name exactly one place: household_id, compound_id or grid_id",
            details=[{"field": k, "value": v} for k, v in named] or [{"field": "household_id"}],
        )
    query = select(HouseholdVisit)
    if household_id is not None:
        area = (await household_place(session, household_id)).area
        query = query.where(HouseholdVisit.household_id == household_id)
    elif compound_id is not None:
        area = await compound_area(session, compound_id)
        query = query.where(HouseholdVisit.compound_id == compound_id)
    else:
        assert grid_id is not None
        area = await grid_area(session, grid_id)
        query = query.where(HouseholdVisit.grid_id == grid_id)
    require_area_staff(principal, area, "查看走访台账", "read the visit ledger")
    if follow_up_needed is not None:
        query = query.where(HouseholdVisit.follow_up_needed.is_(follow_up_needed))
    after = int_cursor(cursor)
    if after is not None:
        query = query.where(HouseholdVisit.id < after)
    rows = (await session.scalars(query.order_by(HouseholdVisit.id.desc()).limit(limit + 1))).all()
    page, next_cursor = keyset_page(rows, limit, lambda v: v.id)
    return s.HouseholdVisitPage(items=await show(session, page), next_cursor=next_cursor)
