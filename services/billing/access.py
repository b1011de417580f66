"""Who may do what with a compound's money: where a compound lies (from the projections) and
the role checks every route makes (the gateway checks tokens too, but never alone)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.projections.models import community_projection, compound_projection
from shared.auth import Place, Principal, Role, require_staff_of
from shared.errors import Forbidden, NotFound


async def place_of(session: AsyncSession, compound_id: int) -> Place:
    """The compound as billing knows it, with its community and street (street None until
    projected); 404 before registry events have arrived."""
    row = (
        await session.execute(
            select(compound_projection.c.community_id, community_projection.c.street_id)
            .outerjoin(community_projection, community_projection.c.community_id == compound_projection.c.community_id)
            .where(compound_projection.c.compound_id == compound_id)
        )
    ).first()
    if row is None:
        raise NotFound(
            f"收费服务尚无小区 {compound_id} 的信息（可能尚未同步）",
            f"Compound {compound_id} is not known to billing (yet)",
            details={"field": "compound_id", "value": compound_id},
        )
    return Place(street_id=row.street_id, community_id=row.community_id, compound_id=compound_id)


# Grid workers are not among the staff here: they keep no books.


def require_manager(principal: Principal, place: Place) -> None:
    """Book money for the compound: its owners' committee, its property staff, its admins."""
    require_staff_of(principal, place, Role.owners_committee, Role.property_staff)


def require_reader(principal: Principal, place: Place) -> None:
    """Read the compound's books: managers, plus the supervisory committee and auditors of the
    compound or above (read-only: they pass this check and no other)."""
    require_staff_of(
        principal, place, Role.owners_committee, Role.property_staff, Role.supervisory_committee, Role.auditor
    )


def is_reader(principal: Principal, place: Place) -> bool:
    """require_reader as a yes/no."""
    try:
        require_reader(principal, place)
    except Forbidden:
        return False
    return True


def resident_households(principal: Principal) -> set[int]:
    """The households whose bills and receipts the caller may see as a resident."""
    return {
        g.scope_id
        for g in principal.grants
        if g.role == Role.resident and g.scope_kind == "household" and g.scope_id is not None
    }


def require_household_or_reader(principal: Principal, place: Place, household_id: int | None) -> None:
    """A resident sees their own household's bills and receipts; readers see the compound's."""
    if household_id is not None and household_id in resident_households(principal):
        return
    require_reader(principal, place)


def require_street_manager(principal: Principal, street_id: int) -> None:
    """Street-wide bill runs: the street's admins."""
    require_staff_of(principal, Place(street_id=street_id))


def require_any_of_compound(principal: Principal, place: Place, *roles: Role) -> None:
    """One of the roles for this compound (or its admins)."""
    require_staff_of(principal, place, *roles)
