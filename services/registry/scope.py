"""Where a place sits in the tree, who may administer it, and what a caller may read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import ColumnElement, CompoundSelect, Select, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from services.registry.places.models import Building, Cluster, Community, Compound, Grid, Household
from shared.auth import CurrentPrincipal, Place, Principal, Role, require_staff_of
from shared.errors import Forbidden, NotFound
from shared.http import Session


@dataclass(frozen=True)
class Area:
    """The street and community a place lies in (compound when it lies inside one)."""

    street_id: int
    community_id: int | None = None
    compound_id: int | None = None
    grid_id: int | None = None


async def community_area(session: AsyncSession, community_id: int) -> Area:
    street_id = await session.scalar(select(Community.street_id).where(Community.id == community_id))
    if street_id is None:
        raise NotFound(
            f"社区 {community_id} 不存在",
            f"Community {community_id} not found",
            details={"field": "community_id", "value": community_id},
        )
    return Area(street_id=street_id, community_id=community_id)


async def compound_area(session: AsyncSession, compound_id: int) -> Area:
    row = (
        await session.execute(
            select(Compound.community_id, Compound.grid_id, Community.street_id)
            .join(Community, Community.id == Compound.community_id)
            .where(Compound.id == compound_id)
        )
    ).first()
    if row is None:
        raise NotFound(
            f"小区 {compound_id} 不存在",
            f"Compound {compound_id} not found",
            details={"field": "compound_id", "value": compound_id},
        )
    return Area(street_id=row.street_id, community_id=row.community_id, compound_id=compound_id, grid_id=row.grid_id)


def require_admin(principal: Principal, area: Area) -> None:
    """Street admins of the street (or unscoped), community admins of the community, ops."""
    require_staff_of(principal, Place(street_id=area.street_id, community_id=area.community_id))


# --- who may read what ---------------------------------------------------------------------

# Roles scoped to one compound that tie their holder to it: they see what is public there
# (places, committees, public pairings), not the households' or people's records.
_COMPOUND_TIES = (
    Role.owner,
    Role.party_member,
    Role.owners_committee,
    Role.council,
    Role.supervisory_committee,
    Role.property_staff,
)


# An id column of a model (nullable or not).
IdColumn = InstrumentedAttribute[int] | InstrumentedAttribute[int | None]


@dataclass(frozen=True)
class Reach:
    """What a caller may read in the registry, as SQL predicates the list queries filter with.

    Staff (ops and an unscoped street admin everywhere; a street admin in their street, a
    community admin in their community, a grid worker in the compounds of their grid) read
    every record of their places. Everybody else reads their own household, their own person,
    and what is public in the compounds they live in, own in or serve at compound level; from
    those compounds up they see the grid, cluster, community and street that hold them."""

    person_id: int | None
    everywhere: bool = False
    streets: tuple[int, ...] = ()
    communities: tuple[int, ...] = ()
    grids: tuple[int, ...] = ()
    households: tuple[int, ...] = ()
    tied_compounds: tuple[int, ...] = ()

    # -- staff ---------------------------------------------------------------------------

    def staff_community_ids(self) -> Select[Any]:
        """Communities the caller administers (as street or community admin)."""
        return select(Community.id).where(
            or_(Community.street_id.in_(self.streets), Community.id.in_(self.communities))
        )

    def staff_compound_ids(self) -> Select[Any]:
        """Compounds whose every record the caller may read."""
        return select(Compound.id).where(
            or_(Compound.community_id.in_(self.staff_community_ids()), Compound.grid_id.in_(self.grids))
        )

    def staff_in(self, compound_id: IdColumn) -> ColumnElement[bool]:
        """The row lies in a compound the caller is staff of."""
        return true() if self.everywhere else compound_id.in_(self.staff_compound_ids())

    def staff_of_community(self, community_id: IdColumn) -> ColumnElement[bool]:
        return true() if self.everywhere else community_id.in_(self.staff_community_ids())

    def staff_of_street(self, street_id: IdColumn) -> ColumnElement[bool]:
        return true() if self.everywhere else street_id.in_(self.streets)

    def staff_of_grid(self, grid_id: IdColumn) -> ColumnElement[bool]:
        if self.everywhere:
            return true()
        return or_(
            grid_id.in_(self.grids),
            grid_id.in_(select(Grid.id).where(Grid.community_id.in_(self.staff_community_ids()))),
        )

    # -- places --------------------------------------------------------------------------

    def _compound_ids(self) -> CompoundSelect[Any]:
        return self.staff_compound_ids().union(select(Compound.id).where(Compound.id.in_(self.tied_compounds)))

    def sees_compound(self, compound_id: IdColumn) -> ColumnElement[bool]:
        """The compound is one the caller is staff of or tied to."""
        if self.everywhere:
            return true()
        return or_(compound_id.in_(self.staff_compound_ids()), compound_id.in_(self.tied_compounds))

    def _community_ids(self) -> CompoundSelect[Any]:
        return self.staff_community_ids().union(
            select(Compound.community_id).where(Compound.id.in_(self._compound_ids()))
        )

    def sees_community(self, community_id: IdColumn) -> ColumnElement[bool]:
        return true() if self.everywhere else community_id.in_(self._community_ids())

    def sees_street(self, street_id: IdColumn) -> ColumnElement[bool]:
        if self.everywhere:
            return true()
        return or_(
            street_id.in_(self.streets),
            street_id.in_(select(Community.street_id).where(Community.id.in_(self._community_ids()))),
        )

    def sees_grid(self, grid_id: IdColumn) -> ColumnElement[bool]:
        if self.everywhere:
            return true()
        return or_(
            grid_id.in_(self.grids),
            grid_id.in_(select(Grid.id).where(Grid.community_id.in_(self.staff_community_ids()))),
            grid_id.in_(select(Compound.grid_id).where(Compound.id.in_(self.tied_compounds))),
        )

    def sees_cluster(self, cluster_id: IdColumn) -> ColumnElement[bool]:
        if self.everywhere:
            return true()
        return cluster_id.in_(
            select(Cluster.id)
            .where(Cluster.community_id.in_(self.staff_community_ids()))
            .union(select(Compound.cluster_id).where(Compound.id.in_(self._compound_ids())))
        )

    # -- own records ---------------------------------------------------------------------

    def own_household(self, household_id: IdColumn) -> ColumnElement[bool]:
        return household_id.in_(self.households)

    def is_self(self, person_id: IdColumn) -> ColumnElement[bool]:
        return false() if self.person_id is None else person_id == self.person_id

    def own_dwellings(self) -> Select[Any]:
        """The dwellings the caller's households live in."""
        return select(Household.dwelling_id).where(Household.id.in_(self.households))


async def reach_of(session: AsyncSession, principal: Principal) -> Reach:
    """The caller's reach, from the token's scoped roles (and where their households and the
    buildings they head lie)."""
    grants = principal.grants
    everywhere = principal.holds_everywhere(Role.ops) or principal.holds_everywhere(Role.street_admin)

    def scoped(role: Role, kind: str) -> tuple[int, ...]:
        return tuple(sorted({g.scope_id for g in grants if g.role == role and g.scope_kind == kind and g.scope_id}))

    households = scoped(Role.resident, "household")
    tied = {g.scope_id for g in grants if g.role in _COMPOUND_TIES and g.scope_kind == "compound" and g.scope_id}
    if households:
        tied |= set(await session.scalars(select(Household.compound_id).where(Household.id.in_(households))))
    buildings = scoped(Role.building_head, "building")
    if buildings:
        tied |= set(await session.scalars(select(Building.compound_id).where(Building.id.in_(buildings))))
    return Reach(
        person_id=principal.person_id,
        everywhere=everywhere,
        streets=scoped(Role.street_admin, "street"),
        communities=scoped(Role.community_admin, "community"),
        grids=scoped(Role.grid_worker, "grid"),
        households=households,
        tied_compounds=tuple(sorted(tied)),
    )


async def require_compound_staff(session: AsyncSession, reach: Reach, compound_id: int) -> None:
    """For the compound's staff only: 404 to those who do not even see the compound (as if it
    did not exist), 403 to those who see it but do not serve it."""
    seen = await session.scalar(
        select(reach.staff_in(Compound.id)).where(Compound.id == compound_id, reach.sees_compound(Compound.id))
    )
    if seen is None:
        raise NotFound(
            f"小区 {compound_id} 不存在",
            f"Compound {compound_id} not found",
            details={"field": "compound_id", "value": compound_id},
        )
    if not seen:
        raise Forbidden(
            "无权查看：需要所在街道或社区的管理员，或该小区所在网格的网格员",
            "Forbidden: requires an admin of the street or community, or the grid worker of the grid",
        )


async def caller_reach(session: Session, principal: CurrentPrincipal) -> Reach:
    return await reach_of(session, principal)


CallerReach = Annotated[Reach, Depends(caller_reach)]
