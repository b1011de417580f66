"""Who is staff of a person's area (street, community, grid) and the one lookup of a living (not
anonymised) person."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.people.models import Person
from services.registry.scope import Area, compound_area, require_admin
from shared.auth import Principal, Role
from shared.errors import Forbidden, InvalidInput

STAFF_ROLES = (Role.street_admin, Role.community_admin, Role.grid_worker, Role.ops)


async def area_of_person(session: AsyncSession, person: Person) -> Area | None:
    """The compound a person lives in with its community, street and grid; None for people
    registered without one (cadres and workers from outside)."""
    return await compound_area(session, person.compound_id) if person.compound_id is not None else None


def is_area_staff(principal: Principal, area: Area | None) -> bool:
    """The area's admins (as scope.require_admin has them), the grid worker of the compound's
    grid, and ops. People outside any compound: any street or community admin."""
    if principal.holds_everywhere(Role.ops):
        return True
    if area is None:
        return principal.holds_anywhere(Role.street_admin) or principal.holds_anywhere(Role.community_admin)
    if area.grid_id is not None and principal.has(Role.grid_worker, "grid", area.grid_id):
        return True
    try:
        require_admin(principal, area)
    except Forbidden:
        return False
    return True


def require_area_staff(principal: Principal, area: Area | None, action_zh: str, action_en: str) -> None:
    if not is_area_staff(principal, area):
        raise Forbidden(
            f"无权{action_zh}：需要所在街道或社区的管理员，或该小区所在网格的网格员",
            f"Forbidden to {action_en}: requires an admin of the street or community, or the grid worker of the grid",
        )


# --- people other records point at ---------------------------------------------------------


async def living_person(session: AsyncSession, person_id: int, field: str = "person_id") -> Person:
    """A person a new record may point at: registered and not anonymised (422 otherwise)."""
    person = await session.get(Person, person_id)
    if person is None or person.anonymised:
        why, why_en = ("已注销", "has been removed") if person is not None else ("不存在", "not found")
        raise InvalidInput(
            f"{field}：人员 {person_id} {why}",
            f"{field}: person {person_id} {why_en}",
            details=[{"field": field, "value": person_id}],
        )
    return person
