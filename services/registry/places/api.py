"""Routes of the place tree: five per entity, plus the whole compound in one call and what the
caller may do at a place."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from services.registry.entities import get_visible_or_404
from services.registry.places import removal, rights
from services.registry.places import schemas as s
from services.registry.places import service as p
from services.registry.places.domain import PlaceKind
from services.registry.places.models import Building, Courtyard, Dwelling, Entrance
from services.registry.resources import Resource, mount
from services.registry.scope import CallerReach
from shared.auth import CurrentPrincipal
from shared.http import Session, service_router

router = service_router("/api/v1/registry", tags=["registry"])

RESOURCES: list[Resource] = [  # type: ignore[type-arg]
    Resource(
        "/streets",
        p.STREET,
        s.StreetCreate,
        s.StreetUpdate,
        s.StreetOut,
        s.StreetOut.model_validate,
        p.build_street,
        p.area_of_street,
        p.check_name_change,
        lambda e: p._dup("街道", "name", e.name, "平台"),
        readable=p.street_readable,
        before_remove=removal.guard(p.STREET),
    ),
    Resource(
        "/communities",
        p.COMMUNITY,
        s.CommunityCreate,
        s.CommunityUpdate,
        s.CommunityOut,
        s.CommunityOut.model_validate,
        p.build_community,
        p.area_of_community,
        p.check_name_change,
        lambda e: p._dup("社区", "name", e.name, "街道"),
        filters=("street_id",),
        readable=p.community_readable,
        before_remove=removal.guard(p.COMMUNITY),
    ),
    Resource(
        "/grids",
        p.GRID,
        s.GridCreate,
        s.GridUpdate,
        s.GridOut,
        s.GridOut.model_validate,
        p.build_grid,
        p.area_of_community_child,
        p.check_name_change,
        lambda e: p._dup("网格", "name", e.name, "社区"),
        filters=("community_id",),
        readable=p.grid_readable,
        before_remove=removal.guard(p.GRID),
    ),
    Resource(
        "/clusters",
        p.CLUSTER,
        s.ClusterCreate,
        s.ClusterUpdate,
        s.ClusterOut,
        s.ClusterOut.model_validate,
        p.build_cluster,
        p.area_of_community_child,
        p.check_name_change,
        lambda e: p._dup("片区", "name", e.name, "社区"),
        filters=("community_id",),
        readable=p.cluster_readable,
        before_remove=removal.guard(p.CLUSTER),
    ),
    Resource(
        "/compounds",
        p.COMPOUND,
        s.CompoundCreate,
        s.CompoundUpdate,
        s.CompoundOut,
        s.CompoundOut.model_validate,
        p.build_compound,
        p.area_of_compound,
        p.check_compound_change,
        lambda e: p._dup("小区", "name", e.name, "社区"),
        filters=("community_id", "grid_id", "cluster_id"),
        readable=p.compound_readable,
        before_remove=removal.guard(p.COMPOUND),
    ),
    Resource(
        "/courtyards",
        p.COURTYARD,
        s.CourtyardCreate,
        s.CourtyardUpdate,
        s.CourtyardOut,
        s.CourtyardOut.model_validate,
        p.build_courtyard,
        p.area_in_compound,
        p.check_name_change,
        lambda e: p._dup("院落", "name", e.name, "小区"),
        filters=("compound_id",),
        readable=p.in_compound_readable(Courtyard),
        before_remove=removal.guard(p.COURTYARD),
    ),
    Resource(
        "/buildings",
        p.BUILDING,
        s.BuildingCreate,
        s.BuildingUpdate,
        s.BuildingOut,
        s.BuildingOut.model_validate,
        p.build_building,
        p.area_in_compound,
        p.check_building_change,
        lambda e: p._dup("楼栋号", "number", e.number, "小区"),
        filters=("compound_id", "courtyard_id"),
        readable=p.in_compound_readable(Building),
        before_remove=removal.guard(p.BUILDING),
    ),
    Resource(
        "/entrances",
        p.ENTRANCE,
        s.EntranceCreate,
        s.EntranceUpdate,
        s.EntranceOut,
        s.EntranceOut.model_validate,
        p.build_entrance,
        p.area_in_compound,
        p.drop_nones,
        lambda e: p._dup("单元号", "number", e.number, "楼栋"),
        filters=("building_id", "compound_id"),
        readable=p.in_compound_readable(Entrance),
        before_remove=removal.guard(p.ENTRANCE),
    ),
    Resource(
        "/dwellings",
        p.DWELLING,
        s.DwellingCreate,
        s.DwellingUpdate,
        s.DwellingOut,
        s.DwellingOut.model_validate,
        p.build_dwelling,
        p.area_in_compound,
        p.check_dwelling_change,
        lambda e: p._dup("房号", "room", e.room, "单元"),
        filters=("entrance_id", "building_id", "compound_id"),
        readable=p.in_compound_readable(Dwelling),
        before_remove=removal.guard(p.DWELLING),
    ),
    Resource(
        "/households",
        p.HOUSEHOLD,
        s.HouseholdCreate,
        s.HouseholdUpdate,
        s.HouseholdOut,
        s.HouseholdOut.model_validate,
        p.build_household,
        p.area_in_compound,
        p.drop_nones,
        filters=("dwelling_id", "compound_id"),
        readable=p.household_readable,
        before_remove=removal.guard(p.HOUSEHOLD),
    ),
    Resource(
        "/ownerships",
        p.OWNERSHIP,
        s.OwnershipCreate,
        s.OwnershipUpdate,
        s.OwnershipOut,
        s.OwnershipOut.model_validate,
        p.build_ownership,
        p.area_in_compound,
        p.check_ownership_change,
        lambda e: p._dup("产权人", "person_id", e.person_id, "房屋"),
        filters=("dwelling_id", "compound_id", "person_id"),
        readable=p.ownership_readable,
    ),
]

for resource in RESOURCES:
    mount(router, resource)


@router.get(
    "/compounds/{compound_id}/tree",
    response_model=s.CompoundTree,
    summary="整个小区：院落、楼栋、单元、房屋、住户 (the whole compound in one call)",
)
async def compound_tree(compound_id: int, session: Session, reach: CallerReach) -> s.CompoundTree:
    await get_visible_or_404(session, p.COMPOUND, compound_id, p.compound_readable(reach))
    return await p.compound_tree(session, compound_id)


RESOURCE_OF: dict[PlaceKind, Resource] = {  # type: ignore[type-arg]
    kind: next(r for r in RESOURCES if r.kind.name_en == kind.value) for kind in PlaceKind
}


@router.get(
    "/place-rights",
    response_model=s.PlaceRights,
    summary="我在此地点可做什么：修改、删除、新建下级 (what the caller may do at a place)",
)
async def place_rights(
    session: Session,
    principal: CurrentPrincipal,
    reach: CallerReach,
    kind: Annotated[PlaceKind | None, Query(description="地点层级；不填表示最上层 (none: the top of the tree)")] = None,
    place_id: Annotated[int | None, Query(gt=0, description="地点 id (with kind)")] = None,
) -> s.PlaceRights:
    return await rights.rights_at(session, principal, reach, RESOURCE_OF, kind, place_id)
