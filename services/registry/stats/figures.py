"""The registry's figures for the governance dashboard: a street, community, grid or compound,
the places one level down (what a click drills into), and party coverage (branches, building
heads, pairings, center households, in-service members checked in), summed from the same
per-compound counts as GET /stats/coverage."""

from __future__ import annotations

from datetime import date

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.party.domain import PartyLedger
from services.registry.party.models import CenterHousehold, CheckIn, Mentorship, PartyMember
from services.registry.places.models import Community, Compound, Grid, Street
from services.registry.stats import schemas as s
from services.registry.stats.domain import Coverage, total
from services.registry.stats.service import figures as coverage_figures
from services.registry.stats.service import per_compound
from shared.auth import Place, Principal, Role, require_staff_of
from shared.clock import LOCAL_TZ, day_span
from shared.errors import NotFound
from shared.figures import LEVEL_LABEL, Level

MODEL: dict[str, type[Street] | type[Community] | type[Grid] | type[Compound]] = {
    "street": Street,
    "community": Community,
    "grid": Grid,
    "compound": Compound,
}


async def _named(session: AsyncSession, level: str, place_id: int) -> Street | Community | Grid | Compound:
    found: Street | Community | Grid | Compound | None = await session.get(MODEL[level], place_id)
    if found is None:
        raise NotFound(
            f"{LEVEL_LABEL[level]} {place_id} 不存在",
            f"{level} {place_id} not found",
            details={"field": "place_id", "value": place_id},
        )
    return found


async def _path(session: AsyncSession, level: Level, place_id: int) -> tuple[Place, list[s.PlaceRef]]:
    """The place with the places above it, for the check and for the breadcrumb."""
    entity = await _named(session, level, place_id)
    street_id: int | None = entity.id if isinstance(entity, Street) else None
    community_id = grid_id = compound_id = None
    if isinstance(entity, Compound):
        compound_id, community_id, grid_id = entity.id, entity.community_id, entity.grid_id
    elif isinstance(entity, Grid):
        community_id, grid_id = entity.community_id, entity.id
    elif isinstance(entity, Community):
        community_id = entity.id
    if community_id is not None:
        community = await session.get(Community, community_id)
        street_id = community.street_id if community is not None else None
    path: list[s.PlaceRef] = []
    for kind, key in (("street", street_id), ("community", community_id), ("grid", grid_id), ("compound", compound_id)):
        if key is not None:
            path.append(s.PlaceRef(level=kind, place_id=key, name=(await _named(session, kind, key)).name))
    return Place(street_id=street_id, community_id=community_id, grid_id=grid_id, compound_id=compound_id), path


async def _children(session: AsyncSession, level: Level, place_id: int) -> list[tuple[str, int, str, list[int]]]:
    """(level, id, name, compound ids) of the places one level down. A community's compounds lie
    in its grids; one outside every grid is listed on its own, so nothing is left out."""
    if level == "compound":
        return []
    if level == "street":
        rows = await session.execute(
            select(Community.id, Community.name, Compound.id)
            .outerjoin(Compound, Compound.community_id == Community.id)
            .where(Community.street_id == place_id)
            .order_by(Community.id, Compound.id)
        )
        kids: dict[int, tuple[str, list[int]]] = {}
        for cid, name, compound in rows.all():
            kids.setdefault(cid, (name, []))[1].extend([compound] if compound is not None else [])
        return [("community", k, name, ids) for k, (name, ids) in kids.items()]
    if level == "grid":
        compounds = await session.execute(
            select(Compound.id, Compound.name).where(Compound.grid_id == place_id).order_by(Compound.id)
        )
        return [("compound", c, name, [c]) for c, name in compounds.all()]
    out: list[tuple[str, int, str, list[int]]] = []
    grids = (
        await session.execute(select(Grid.id, Grid.name).where(Grid.community_id == place_id).order_by(Grid.id))
    ).all()
    for grid_id, name in grids:
        ids = list(await session.scalars(select(Compound.id).where(Compound.grid_id == grid_id).order_by(Compound.id)))
        out.append(("grid", grid_id, name, ids))
    loose = await session.execute(
        select(Compound.id, Compound.name)
        .where(Compound.community_id == place_id, Compound.grid_id.is_(None))
        .order_by(Compound.id)
    )
    out.extend(("compound", c, name, [c]) for c, name in loose.all())
    return out


async def _compounds_of(session: AsyncSession, level: Level, place_id: int) -> list[int]:
    column = {
        "street": Compound.street_id,
        "community": Compound.community_id,
        "grid": Compound.grid_id,
        "compound": Compound.id,
    }[level]
    return list(await session.scalars(select(Compound.id).where(column == place_id).order_by(Compound.id)))


async def figures(
    session: AsyncSession, principal: Principal, level: Level, place_id: int, date_from: date, date_to: date
) -> s.RegistryFigures:
    place, path = await _path(session, level, place_id)
    require_staff_of(principal, place, Role.grid_worker, Role.auditor)
    ids = await _compounds_of(session, level, place_id)
    each = await per_compound(session, ids, date_to)
    start, end = day_span(date_from, date_to, LOCAL_TZ)
    centers = int(await session.scalar(select(func.count()).where(CenterHousehold.compound_id.in_(ids))) or 0)
    mentored = int(
        await session.scalar(
            select(func.count())
            .select_from(Mentorship)
            .join(CenterHousehold, CenterHousehold.id == Mentorship.center_household_id)
            .where(CenterHousehold.compound_id.in_(ids))
        )
        or 0
    )
    checked = int(
        await session.scalar(
            select(func.count(distinct(CheckIn.party_member_id)))
            .join(PartyMember, PartyMember.id == CheckIn.party_member_id)
            .where(
                CheckIn.compound_id.in_(ids),
                PartyMember.ledger == PartyLedger.in_service.value,
                CheckIn.checked_in_at >= start,
                CheckIn.checked_in_at < end,
            )
        )
        or 0
    )

    def summed(compound_ids: list[int]) -> Coverage:
        return total([each[c] for c in compound_ids if c in each])

    children = [
        s.PlaceFigures(level=kind, place_id=key, name=name, compound_ids=kid_ids, **coverage_figures(summed(kid_ids)))
        for kind, key, name, kid_ids in await _children(session, level, place_id)
    ]
    return s.RegistryFigures(
        level=level,
        place_id=place_id,
        name=path[-1].name,
        path=path,
        date_from=date_from,
        date_to=date_to,
        time_zone=LOCAL_TZ.key,
        compound_ids=ids,
        totals=s.CoverageFigures(**coverage_figures(summed(ids))),
        center_households=centers,
        mentored_households=mentored,
        check_ins_in_period=checked,
        children=children,
    )
