"""A grid worker finds a resident of his grid by part of the name, masked: enough to tell the
people at a door apart, never their full name or numbers (those need a stated purpose and are
logged: personal_data.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.people import schemas as s
from services.registry.people.domain import ResidentKind, mask_mobile
from services.registry.people.models import Person
from services.registry.people.pii import PiiVault
from services.registry.people.staff import require_area_staff
from services.registry.places.models import Building, Community, Compound, Dwelling, Entrance, Grid, Household
from services.registry.scope import Area
from shared.auth import Principal
from shared.errors import InvalidInput, NotFound
from shared.masking import mask_name
from shared.pagination import int_cursor, keyset_page


async def _grid_area(session: AsyncSession, grid_id: int) -> Area:
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


async def search_residents(
    session: AsyncSession,
    vault: PiiVault,
    principal: Principal,
    *,
    grid_id: int,
    name: str,
    cursor: str | None,
    limit: int,
) -> s.ResidentMatchPage:
    """Living residents of the grid's compounds whose name contains `name`, by id; for the staff
    of the grid (its grid worker, the admins of its community and street, ops)."""
    require_area_staff(principal, await _grid_area(session, grid_id), "查找本网格居民", "search the grid's residents")
    wanted = " ".join(name.split())
    if not wanted:
        raise InvalidInput(
            "name：请输入要查找的姓名（可只输入一部分）",
            "name: give (part of) the name to search for",
            details=[{"field": "name", "value": name}],
        )
    query = (
        select(Person, Compound.name, Building.number, Entrance.number, Dwelling.room)
        .join(Compound, Compound.id == Person.compound_id)
        .outerjoin(Household, Household.id == Person.household_id)
        .outerjoin(Dwelling, Dwelling.id == Household.dwelling_id)
        .outerjoin(Entrance, Entrance.id == Dwelling.entrance_id)
        .outerjoin(Building, Building.id == Dwelling.building_id)
        .where(
            Compound.grid_id == grid_id,
            Person.anonymised.is_(False),
            Person.name.contains(wanted, autoescape=True),
        )
    )
    after = int_cursor(cursor)
    if after is not None:
        query = query.where(Person.id > after)
    rows = (await session.execute(query.order_by(Person.id).limit(limit + 1))).all()
    page, next_cursor = keyset_page(rows, limit, lambda r: r[0].id)
    items = []
    for person, compound_name, building, entrance, room in page:
        mobile = vault.decrypt_or_none(person.mobile_enc)
        kind = ResidentKind(person.kind)
        items.append(
            s.ResidentMatch(
                person_id=person.id,
                name_masked=mask_name(person.name),
                mobile_masked=mask_mobile(mobile) if mobile is not None else None,
                kind=kind,
                kind_label=kind.label,
                household_id=person.household_id,
                compound_id=person.compound_id,
                compound_name=compound_name,
                address=f"{building}号楼{entrance}单元{room}室" if room is not None else None,
            )
        )
    return s.ResidentMatchPage(items=items, next_cursor=next_cursor)
