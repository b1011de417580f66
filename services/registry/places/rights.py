"""What a caller may do at a place, asked of the same checks the place routes make (the
resource's `authorise` on the place's area, or on the area a new child would lie in), so the
desk shows only the buttons that would work and keeps no role list of its own."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.entities import get_visible_or_404
from services.registry.places import schemas as s
from services.registry.places.domain import CHILD_KINDS, PlaceKind
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
    Street,
)
from services.registry.resources import Resource
from services.registry.scope import Reach
from shared.auth import Principal
from shared.errors import Forbidden, InvalidInput

# A child not yet made, placed below its parent: only what its area is read from is filled in.
STUBS: dict[PlaceKind, Callable[[Any], Any]] = {
    PlaceKind.street: lambda _: Street(),
    PlaceKind.community: lambda p: Community(street_id=p.id),
    PlaceKind.grid: lambda p: Grid(community_id=p.id),
    PlaceKind.cluster: lambda p: Cluster(community_id=p.id),
    PlaceKind.compound: lambda p: Compound(community_id=p.id),
    PlaceKind.courtyard: lambda p: Courtyard(compound_id=p.id),
    PlaceKind.building: lambda p: Building(compound_id=p.id),
    PlaceKind.entrance: lambda p: Entrance(building_id=p.id, compound_id=p.compound_id),
    PlaceKind.dwelling: lambda p: Dwelling(entrance_id=p.id, building_id=p.building_id, compound_id=p.compound_id),
    PlaceKind.household: lambda p: Household(dwelling_id=p.id, compound_id=p.compound_id),
}


async def _allowed(session: AsyncSession, principal: Principal, resource: Resource[Any], entity: Any) -> bool:
    try:
        resource.authorise(principal, await resource.area(session, entity))
    except Forbidden:
        return False
    return True


async def rights_at(
    session: AsyncSession,
    principal: Principal,
    reach: Reach,
    resources: Mapping[PlaceKind, Resource[Any]],
    kind: PlaceKind | None,
    place_id: int | None,
) -> s.PlaceRights:
    """The rights at one place (404 when the caller does not see it), or at the top of the tree."""
    if (kind is None) != (place_id is None):
        raise InvalidInput(
            "kind 与 place_id 须同时给出（或都不给，表示最上层）",
            "kind and place_id go together (neither: the top of the tree)",
            details=[{"field": "place_id" if kind is not None else "kind", "value": None}],
        )
    place: Any = None
    may_update = may_remove = False
    if kind is not None and place_id is not None:
        resource = resources[kind]
        assert resource.readable is not None  # every mounted resource states it
        place = await get_visible_or_404(session, resource.kind, place_id, resource.readable(reach))
        may_update = may_remove = await _allowed(session, principal, resource, place)
    may_create = [
        child
        for child in CHILD_KINDS[kind]
        if await _allowed(session, principal, resources[child], STUBS[child](place))
    ]
    return s.PlaceRights(
        kind=kind, place_id=place_id, may_update=may_update, may_remove=may_remove, may_create=may_create
    )
