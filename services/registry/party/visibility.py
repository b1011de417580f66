"""Where a party organisation sits (street, community, compound) and which rows of each party ledger a
caller's reach may read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.entities import referenced
from services.registry.party.domain import (
    PartyOrgLevel,
    place_kind_of,
)
from services.registry.party.models import CenterHousehold, CheckIn, Mentorship, PartyMember, PartyOrg
from services.registry.people.models import Person
from services.registry.places.models import Building, Community, Compound, Grid, Street
from services.registry.scope import Area, Reach, community_area, compound_area


@dataclass(frozen=True)
class Located:
    """Where an organisation's place sits: the place of its parent's kind that holds it, the
    area for authorisation, and the compound it lies in (compound and building levels)."""

    container_id: int | None
    area: Area
    compound_id: int | None = None


async def locate(session: AsyncSession, level: PartyOrgLevel, place_id: int) -> Located:
    """Find the place of an organisation of `level`; 422 if it does not exist."""
    kind = place_kind_of(level)
    if kind == "street":
        await referenced(session, Street, place_id, "place_id", "街道")
        return Located(None, Area(street_id=place_id))
    if kind == "community":
        community: Community = await referenced(session, Community, place_id, "place_id", "社区")
        return Located(community.street_id, Area(street_id=community.street_id, community_id=community.id))
    if kind == "grid":
        grid: Grid = await referenced(session, Grid, place_id, "place_id", "网格")
        area = await community_area(session, grid.community_id)
        return Located(grid.community_id, Area(area.street_id, area.community_id, grid_id=grid.id))
    if kind == "compound":
        compound: Compound = await referenced(session, Compound, place_id, "place_id", "小区")
        return Located(compound.grid_id, await compound_area(session, compound.id), compound.id)
    building: Building = await referenced(session, Building, place_id, "place_id", "楼栋")
    return Located(building.compound_id, await compound_area(session, building.compound_id), building.compound_id)


def _org_at(reach: Reach, staff: bool) -> ColumnElement[bool]:
    """Organisations whose place the caller sees (staff=False) or serves (staff=True)."""
    street = reach.staff_of_street if staff else reach.sees_street
    community = reach.staff_of_community if staff else reach.sees_community
    grid = reach.staff_of_grid if staff else reach.sees_grid
    compound = reach.staff_in if staff else reach.sees_compound
    return or_(
        and_(PartyOrg.place_kind == "street", street(PartyOrg.place_id)),
        and_(PartyOrg.place_kind == "community", community(PartyOrg.place_id)),
        and_(PartyOrg.place_kind == "grid", grid(PartyOrg.place_id)),
        and_(PartyOrg.place_kind == "compound", compound(PartyOrg.place_id)),
        and_(
            PartyOrg.place_kind == "building",
            PartyOrg.place_id.in_(select(Building.id).where(compound(Building.compound_id))),
        ),
    )


def org_readable(reach: Reach) -> ColumnElement[bool]:
    """The organisation tree is public where one lives or serves."""
    return _org_at(reach, staff=False)


def member_readable(reach: Reach) -> ColumnElement[bool]:
    """A member's record (ledger, skills, duty): the member, the staff of the compound they
    live in, and the admins of their organisation's place."""
    return or_(
        PartyMember.person_id.in_(
            select(Person.id).where(or_(reach.staff_in(Person.compound_id), reach.is_self(Person.id)))
        ),
        PartyMember.party_org_id.in_(select(PartyOrg.id).where(_org_at(reach, staff=True))),
    )


def _own_member_ids(reach: Reach) -> Any:
    return select(PartyMember.id).where(reach.is_self(PartyMember.person_id))


def check_in_readable(reach: Reach) -> ColumnElement[bool]:
    return or_(reach.staff_in(CheckIn.compound_id), CheckIn.party_member_id.in_(_own_member_ids(reach)))


def center_readable(reach: Reach) -> ColumnElement[bool]:
    """The staff; the center household and its member; the households it mentors."""
    return or_(
        reach.staff_in(CenterHousehold.compound_id),
        reach.own_household(CenterHousehold.household_id),
        CenterHousehold.party_member_id.in_(_own_member_ids(reach)),
        CenterHousehold.id.in_(
            select(Mentorship.center_household_id).where(reach.own_household(Mentorship.household_id))
        ),
    )


async def org_area(session: AsyncSession, org: PartyOrg) -> Area:
    return (await locate(session, PartyOrgLevel(org.level), org.place_id)).area
