"""Who may do what with a compound's money: where a compound lies (from the projections) and
the role checks every route makes (the gateway checks tokens too, but never alone)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.projections.models import community_projection, compound_projection
from shared.auth import Principal, Role, require_any
from shared.errors import Forbidden, NotFound

Check = tuple[Role, str | None, int | None]


@dataclass(frozen=True)
class Place:
    """A compound and the community and street it lies in (street None until projected)."""

    compound_id: int
    community_id: int
    street_id: int | None


async def place_of(session: AsyncSession, compound_id: int) -> Place:
    """The compound as billing knows it; 404 before registry events have arrived."""
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
    return Place(compound_id, row.community_id, row.street_id)


def _admins(place: Place) -> list[Check]:
    checks: list[Check] = [(Role.community_admin, "community", place.community_id)]
    if place.street_id is not None:
        checks.append((Role.street_admin, "street", place.street_id))
    return checks


def _unscoped(principal: Principal, role: Role) -> bool:
    return any(g.role == role and g.scope_kind is None for g in principal.grants)


def require_manager(principal: Principal, place: Place) -> None:
    """Book money for the compound: its owners' committee, its property staff, its admins."""
    if _unscoped(principal, Role.street_admin):
        return
    require_any(
        principal,
        (Role.owners_committee, "compound", place.compound_id),
        (Role.property_staff, "compound", place.compound_id),
        *_admins(place),
    )


def require_reader(principal: Principal, place: Place) -> None:
    """Read the compound's books: managers, plus the supervisory committee and auditors
    (read-only: they pass this check and no other)."""
    if _unscoped(principal, Role.street_admin) or _unscoped(principal, Role.auditor):
        return
    checks: list[Check] = [
        (Role.owners_committee, "compound", place.compound_id),
        (Role.property_staff, "compound", place.compound_id),
        (Role.supervisory_committee, "compound", place.compound_id),
        (Role.auditor, "compound", place.compound_id),
        (Role.auditor, "community", place.community_id),
        *_admins(place),
    ]
    if place.street_id is not None:
        checks.append((Role.auditor, "street", place.street_id))
    require_any(principal, *checks)


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
    if _unscoped(principal, Role.street_admin):
        return
    require_any(principal, (Role.street_admin, "street", street_id))


def require_any_of_compound(principal: Principal, place: Place, *roles: Role) -> None:
    """One of the roles for this compound (or its admins)."""
    if _unscoped(principal, Role.street_admin):
        return
    require_any(principal, *[(role, "compound", place.compound_id) for role in roles], *_admins(place))
