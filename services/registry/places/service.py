"""Place use cases: how each place is built from a request (its parents checked), where it lies,
how it is shown, and the whole-compound tree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.entities import EntityKind, get_or_404, referenced
from services.registry.places import schemas as s
from services.registry.places.domain import (
    BuildingStructure,
    SaleStatus,
    check_exclusive_area,
    check_shares,
    normalise_name,
    parse_area,
)
from services.registry.places.models import (
    Building,
    Cluster,
    Community,
    Compound,
    Courtyard,
    Dwelling,
    Entrance,
    Grid,
    Household,
    Ownership,
    Street,
)
from services.registry.scope import Area, Reach, community_area, compound_area
from shared.contracts import registry as c
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput

# --- kinds ---------------------------------------------------------------------------------

STREET = EntityKind(
    Street,
    "街道",
    "street",
    c.StreetFields,
    lambda e: {"street_id": e.id, "name": e.name, "version": e.version},
    lambda e: e.id,
)
COMMUNITY = EntityKind(
    Community,
    "社区",
    "community",
    c.CommunityFields,
    lambda e: {"community_id": e.id, "street_id": e.street_id, "name": e.name, "version": e.version},
    lambda e: e.id,
)
GRID = EntityKind(
    Grid,
    "网格",
    "grid",
    c.GridFields,
    lambda e: {"grid_id": e.id, "community_id": e.community_id, "name": e.name, "version": e.version},
    lambda e: e.community_id,
)
CLUSTER = EntityKind(
    Cluster,
    "片区",
    "cluster",
    c.ClusterFields,
    lambda e: {"cluster_id": e.id, "community_id": e.community_id, "name": e.name, "version": e.version},
    lambda e: e.community_id,
)
COMPOUND = EntityKind(
    Compound,
    "小区",
    "compound",
    c.CompoundFields,
    lambda e: {
        "compound_id": e.id,
        "name": e.name,
        "community_id": e.community_id,
        "street_id": e.street_id,
        "kind": e.kind,
        "management_model": e.management_model,
        "version": e.version,
        "grid_id": e.grid_id,
        "cluster_id": e.cluster_id,
    },
    lambda e: e.id,
)
COURTYARD = EntityKind(
    Courtyard,
    "院落",
    "courtyard",
    c.CourtyardFields,
    lambda e: {"courtyard_id": e.id, "compound_id": e.compound_id, "name": e.name, "version": e.version},
    lambda e: e.compound_id,
)
BUILDING = EntityKind(
    Building,
    "楼栋",
    "building",
    c.BuildingFields,
    lambda e: {
        "building_id": e.id,
        "compound_id": e.compound_id,
        "courtyard_id": e.courtyard_id,
        "number": e.number,
        "structure": e.structure,
        "floors": e.floors,
        "version": e.version,
    },
    lambda e: e.compound_id,
)
ENTRANCE = EntityKind(
    Entrance,
    "单元",
    "entrance",
    c.EntranceFields,
    lambda e: {
        "entrance_id": e.id,
        "building_id": e.building_id,
        "compound_id": e.compound_id,
        "number": e.number,
        "version": e.version,
    },
    lambda e: e.compound_id,
)
DWELLING = EntityKind(
    Dwelling,
    "房屋",
    "dwelling",
    c.DwellingFields,
    lambda e: {
        "dwelling_id": e.id,
        "entrance_id": e.entrance_id,
        "building_id": e.building_id,
        "compound_id": e.compound_id,
        "room": e.room,
        "area_m2": e.area_m2,
        "exclusive_area_m2": e.exclusive_area_m2,
        "usage": e.usage,
        "sale_status": e.sale_status,
        "delivered": e.delivered,
        "version": e.version,
    },
    lambda e: e.compound_id,
)
HOUSEHOLD = EntityKind(
    Household,
    "住户",
    "household",
    c.HouseholdFields,
    lambda e: {
        "household_id": e.id,
        "dwelling_id": e.dwelling_id,
        "compound_id": e.compound_id,
        "needy": e.needy,
        "version": e.version,
    },
    lambda e: e.compound_id,
)
OWNERSHIP = EntityKind(
    Ownership,
    "产权",
    "ownership",
    c.OwnershipFields,
    lambda e: {
        "ownership_id": e.id,
        "dwelling_id": e.dwelling_id,
        "compound_id": e.compound_id,
        "person_id": e.person_id,
        "share_bp": e.share_bp,
        "since": e.since,
        "until": e.until,
        "version": e.version,
    },
    lambda e: e.compound_id,
)


def _dup(label: str, field: str, value: object, parent: str) -> Conflict:
    return Conflict(
        f"{parent}内已有{label}“{value}”",
        f"{field} {value!r} already exists in this {parent}",
        code=ErrorCode.duplicate,
        details={"field": field, "value": value},
    )


# --- builders: validate a create request, return the entity -------------------------------


async def _parent(session: AsyncSession, kind: EntityKind[Any], entity_id: int, field: str) -> Any:
    return await referenced(session, kind.model, entity_id, field, kind.name_zh, kind.name_en)


async def build_street(session: AsyncSession, body: s.StreetCreate) -> Street:
    return Street(name=normalise_name(body.name))


async def build_community(session: AsyncSession, body: s.CommunityCreate) -> Community:
    await _parent(session, STREET, body.street_id, "street_id")
    return Community(street_id=body.street_id, name=normalise_name(body.name))


async def build_grid(session: AsyncSession, body: s.GridCreate) -> Grid:
    await _parent(session, COMMUNITY, body.community_id, "community_id")
    return Grid(community_id=body.community_id, name=normalise_name(body.name))


async def build_cluster(session: AsyncSession, body: s.GridCreate) -> Cluster:
    await _parent(session, COMMUNITY, body.community_id, "community_id")
    return Cluster(community_id=body.community_id, name=normalise_name(body.name))


async def _check_compound_links(
    session: AsyncSession, community_id: int, grid_id: int | None, cluster_id: int | None
) -> None:
    """A compound's grid and cluster must belong to its own community."""
    for kind, value, field in ((GRID, grid_id, "grid_id"), (CLUSTER, cluster_id, "cluster_id")):
        if value is None:
            continue
        parent = await _parent(session, kind, value, field)
        if parent.community_id != community_id:
            raise InvalidInput(
                f"{field}：{kind.name_zh} {value} 不属于社区 {community_id}",
                f"{field}: {kind.name_en} {value} is not in community {community_id}",
                details=[{"field": field, "value": value}],
            )


async def build_compound(session: AsyncSession, body: s.CompoundCreate) -> Compound:
    await _parent(session, COMMUNITY, body.community_id, "community_id")
    await _check_compound_links(session, body.community_id, body.grid_id, body.cluster_id)
    return Compound(
        name=normalise_name(body.name),
        community_id=body.community_id,
        grid_id=body.grid_id,
        cluster_id=body.cluster_id,
        kind=body.kind.value,
        management_model=body.management_model.value,
    )


async def build_courtyard(session: AsyncSession, body: s.CourtyardCreate) -> Courtyard:
    await _parent(session, COMPOUND, body.compound_id, "compound_id")
    return Courtyard(compound_id=body.compound_id, name=normalise_name(body.name))


async def _check_courtyard(session: AsyncSession, compound_id: int, courtyard_id: int | None) -> None:
    if courtyard_id is None:
        return
    courtyard = await _parent(session, COURTYARD, courtyard_id, "courtyard_id")
    if courtyard.compound_id != compound_id:
        raise InvalidInput(
            f"courtyard_id：院落 {courtyard_id} 不在小区 {compound_id} 内",
            f"courtyard_id: courtyard {courtyard_id} is not in compound {compound_id}",
            details=[{"field": "courtyard_id", "value": courtyard_id}],
        )


async def build_building(session: AsyncSession, body: s.BuildingCreate) -> Building:
    await _parent(session, COMPOUND, body.compound_id, "compound_id")
    await _check_courtyard(session, body.compound_id, body.courtyard_id)
    return Building(
        compound_id=body.compound_id,
        courtyard_id=body.courtyard_id,
        number=normalise_name(body.number, "number", "楼栋号"),
        structure=body.structure.value,
        floors=body.floors,
    )


async def build_entrance(session: AsyncSession, body: s.EntranceCreate) -> Entrance:
    building = await _parent(session, BUILDING, body.building_id, "building_id")
    return Entrance(
        building_id=building.id,
        compound_id=building.compound_id,
        number=normalise_name(body.number, "number", "单元号"),
    )


async def build_dwelling(session: AsyncSession, body: s.DwellingCreate) -> Dwelling:
    entrance = await _parent(session, ENTRANCE, body.entrance_id, "entrance_id")
    area = parse_area(body.area_m2, "area_m2")
    exclusive = parse_area(body.exclusive_area_m2, "exclusive_area_m2") if body.exclusive_area_m2 is not None else area
    check_exclusive_area(area, exclusive)
    return Dwelling(
        entrance_id=entrance.id,
        building_id=entrance.building_id,
        compound_id=entrance.compound_id,
        room=normalise_name(body.room, "room", "房号"),
        floor=body.floor,
        area_m2=area,
        exclusive_area_m2=exclusive,
        usage=body.usage.value,
        sale_status=body.sale_status.value,
        delivered=body.delivered,
    )


async def build_household(session: AsyncSession, body: s.HouseholdCreate) -> Household:
    dwelling = await _parent(session, DWELLING, body.dwelling_id, "dwelling_id")
    return Household(dwelling_id=dwelling.id, compound_id=dwelling.compound_id, needy=body.needy, note=body.note)


async def held_share_bp(session: AsyncSession, dwelling_id: int, except_id: int | None = None) -> int:
    query = select(func.coalesce(func.sum(Ownership.share_bp), 0)).where(
        Ownership.dwelling_id == dwelling_id, Ownership.until.is_(None)
    )
    if except_id is not None:
        query = query.where(Ownership.id != except_id)
    return int(await session.scalar(query) or 0)


async def build_ownership(session: AsyncSession, body: s.OwnershipCreate) -> Ownership:
    from services.registry.people.models import Person  # people build on places, not the reverse

    dwelling = await _parent(session, DWELLING, body.dwelling_id, "dwelling_id")
    if await session.get(Person, body.person_id) is None:
        raise InvalidInput(
            f"person_id：人员 {body.person_id} 不存在",
            f"person_id: person {body.person_id} not found",
            details=[{"field": "person_id", "value": body.person_id}],
        )
    check_shares(await held_share_bp(session, dwelling.id), body.share_bp)
    return Ownership(
        dwelling_id=dwelling.id,
        compound_id=dwelling.compound_id,
        person_id=body.person_id,
        share_bp=body.share_bp,
        since=body.since,
    )


# --- areas (for authorisation) -------------------------------------------------------------


async def area_of_street(_: AsyncSession, e: Street) -> Area:
    return Area(street_id=e.id)


async def area_of_community(session: AsyncSession, e: Community) -> Area:
    return Area(street_id=e.street_id, community_id=e.id)


async def area_of_community_child(session: AsyncSession, e: Grid | Cluster) -> Area:
    return await community_area(session, e.community_id)


async def area_of_compound(session: AsyncSession, e: Compound) -> Area:
    return await community_area(session, e.community_id)


async def area_in_compound(session: AsyncSession, e: Any) -> Area:
    return await compound_area(session, e.compound_id)


# --- who may read (see scope.Reach) -------------------------------------------------------
# Places are public to those who live, own or serve in them; households and ownerships are
# their own people's and the staff's only (a household's `needy` flag and note are staff notes).


def street_readable(reach: Reach) -> ColumnElement[bool]:
    return reach.sees_street(Street.id)


def community_readable(reach: Reach) -> ColumnElement[bool]:
    return reach.sees_community(Community.id)


def grid_readable(reach: Reach) -> ColumnElement[bool]:
    return reach.sees_grid(Grid.id)


def cluster_readable(reach: Reach) -> ColumnElement[bool]:
    return reach.sees_cluster(Cluster.id)


def compound_readable(reach: Reach) -> ColumnElement[bool]:
    return reach.sees_compound(Compound.id)


def in_compound_readable(
    model: type[Courtyard] | type[Building] | type[Entrance] | type[Dwelling],
) -> Callable[[Reach], ColumnElement[bool]]:
    """Courtyards, buildings, entrances and dwellings: whoever sees their compound."""
    return lambda reach: reach.sees_compound(model.compound_id)


def household_readable(reach: Reach) -> ColumnElement[bool]:
    return or_(reach.staff_in(Household.compound_id), reach.own_household(Household.id))


def ownership_readable(reach: Reach) -> ColumnElement[bool]:
    """The staff, the owner themself, and the households living in the dwelling."""
    return or_(
        reach.staff_in(Ownership.compound_id),
        reach.is_self(Ownership.person_id),
        Ownership.dwelling_id.in_(reach.own_dwellings()),
    )


# --- update checks -------------------------------------------------------------------------


async def check_name_change(_: AsyncSession, e: Any, changes: dict[str, Any]) -> dict[str, Any]:
    if changes.get("name") is not None:
        changes["name"] = normalise_name(changes["name"])
    return {k: v for k, v in changes.items() if v is not None}


async def check_compound_change(session: AsyncSession, e: Compound, changes: dict[str, Any]) -> dict[str, Any]:
    changes = await check_name_change(session, e, changes)
    await _check_compound_links(session, e.community_id, changes.get("grid_id"), changes.get("cluster_id"))
    for enum_field in ("kind", "management_model"):
        if enum_field in changes:
            changes[enum_field] = str(changes[enum_field])
    return changes


async def check_building_change(session: AsyncSession, e: Building, changes: dict[str, Any]) -> dict[str, Any]:
    changes = {k: v for k, v in changes.items() if v is not None}
    await _check_courtyard(session, e.compound_id, changes.get("courtyard_id"))
    if "structure" in changes:
        changes["structure"] = str(changes["structure"])
    return changes


async def check_dwelling_change(session: AsyncSession, e: Dwelling, changes: dict[str, Any]) -> dict[str, Any]:
    changes = {k: v for k, v in changes.items() if v is not None}
    if "area_m2" in changes:
        changes["area_m2"] = parse_area(changes["area_m2"], "area_m2")
    if "exclusive_area_m2" in changes:
        changes["exclusive_area_m2"] = parse_area(changes["exclusive_area_m2"], "exclusive_area_m2")
    check_exclusive_area(changes.get("area_m2", e.area_m2), changes.get("exclusive_area_m2", e.exclusive_area_m2))
    for enum_field in ("usage", "sale_status"):
        if enum_field in changes:
            changes[enum_field] = str(changes[enum_field])
    return changes


async def check_ownership_change(session: AsyncSession, e: Ownership, changes: dict[str, Any]) -> dict[str, Any]:
    if changes.get("share_bp") is not None:
        check_shares(await held_share_bp(session, e.dwelling_id, except_id=e.id), changes["share_bp"])
    return changes


async def drop_nones(_: AsyncSession, e: Any, changes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in changes.items() if v is not None}


# --- the whole compound --------------------------------------------------------------------


async def compound_tree(session: AsyncSession, compound_id: int) -> s.CompoundTree:
    compound = await get_or_404(session, COMPOUND, compound_id)
    courtyards = (
        await session.scalars(select(Courtyard).where(Courtyard.compound_id == compound_id).order_by(Courtyard.id))
    ).all()
    buildings = (
        await session.scalars(select(Building).where(Building.compound_id == compound_id).order_by(Building.id))
    ).all()
    entrances = (
        await session.scalars(select(Entrance).where(Entrance.compound_id == compound_id).order_by(Entrance.id))
    ).all()
    dwellings = (
        await session.scalars(select(Dwelling).where(Dwelling.compound_id == compound_id).order_by(Dwelling.id))
    ).all()
    households = (
        await session.execute(select(Household.id, Household.dwelling_id).where(Household.compound_id == compound_id))
    ).all()
    by_dwelling: dict[int, list[int]] = defaultdict(list)
    for household_id, dwelling_id in households:
        by_dwelling[dwelling_id].append(household_id)
    by_entrance: dict[int, list[s.TreeDwelling]] = defaultdict(list)
    for d in dwellings:
        by_entrance[d.entrance_id].append(
            s.TreeDwelling(
                id=d.id,
                room=d.room,
                area_m2=d.area_m2,
                exclusive_area_m2=d.exclusive_area_m2,
                sale_status=SaleStatus(d.sale_status),
                household_ids=by_dwelling[d.id],
            )
        )
    by_building: dict[int, list[s.TreeEntrance]] = defaultdict(list)
    for en in entrances:
        by_building[en.building_id].append(s.TreeEntrance(id=en.id, number=en.number, dwellings=by_entrance[en.id]))
    total_area = sum((d.area_m2 for d in dwellings), Decimal("0"))
    return s.CompoundTree(
        compound=s.CompoundOut.model_validate(compound),
        courtyards=[s.CourtyardOut.model_validate(cy) for cy in courtyards],
        buildings=[
            s.TreeBuilding(
                id=b.id,
                number=b.number,
                structure=BuildingStructure(b.structure),
                floors=b.floors,
                courtyard_id=b.courtyard_id,
                entrances=by_building[b.id],
            )
            for b in buildings
        ],
        totals={
            "buildings": len(buildings),
            "entrances": len(entrances),
            "dwellings": len(dwellings),
            "households": len(households),
            "area_m2": str(total_area),
        },
    )
