"""Who may act in a compound, from this service's own projections: seats on the compound's
bodies (registry memberships) and ownership of its dwellings. Tokens say who the caller is;
the registry's records say what they hold, so a seat ends here when it ends there."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.base import compound_projection
from services.deliberation.bodies import COMMITTEE_BODIES, Body
from services.deliberation.projections.models import BuildingView, HouseholdView, MembershipView
from services.deliberation.votes.models import DeveloperRepresentative
from shared.auth import Place, Principal, Role, is_staff_of
from shared.error_codes import ErrorCode
from shared.errors import Forbidden, NotFound


async def compound_community(session: AsyncSession, compound_id: int) -> int:
    """The compound's community; 404 when this service has not heard of the compound."""
    community = await session.scalar(
        select(compound_projection.c.community_id).where(compound_projection.c.compound_id == compound_id)
    )
    if community is None:
        raise _unknown(compound_id)
    return int(community)


def _unknown(compound_id: int) -> NotFound:
    return NotFound(
        f"本服务尚无小区 {compound_id} 的信息（可能尚未同步）",
        f"Compound {compound_id} is not known here (yet)",
        details={"compound_id": compound_id},
    )


async def seats(session: AsyncSession, compound_id: int, person_id: int | None) -> set[Body]:
    """The bodies of the compound on which the person sits now."""
    if person_id is None:
        return set()
    rows = await session.scalars(
        select(MembershipView.body).where(
            MembershipView.compound_id == compound_id,
            MembershipView.person_id == person_id,
            MembershipView.active.is_(True),
        )
    )
    return {Body(b) for b in rows if b in Body._value2member_map_}


async def members_of(session: AsyncSession, compound_id: int, bodies: tuple[Body, ...]) -> set[int]:
    """Person ids of everyone sitting now on any of `bodies` of the compound."""
    rows = await session.scalars(
        select(MembershipView.person_id).where(
            MembershipView.compound_id == compound_id,
            MembershipView.body.in_([b.value for b in bodies]),
            MembershipView.active.is_(True),
        )
    )
    return set(rows)


def _refuse(bodies: tuple[Body, ...]) -> Forbidden:
    wanted = "、".join(b.label for b in bodies)
    return Forbidden(
        f"只有本小区{wanted}成员可以执行此操作",
        f"Only members of the compound's {', '.join(b.value for b in bodies)} may do this",
        code=ErrorCode.not_a_member,
    )


async def require_seat(session: AsyncSession, principal: Principal, compound_id: int, *bodies: Body) -> Body:
    """The body on which the caller acts (first of `bodies` they sit on), else 403."""
    held = await seats(session, compound_id, principal.person_id)
    for body in bodies:
        if body in held:
            return body
    raise _refuse(bodies)


async def require_committee(session: AsyncSession, principal: Principal, compound_id: int) -> Body:
    return await require_seat(session, principal, compound_id, *COMMITTEE_BODIES)


async def place_of(session: AsyncSession, compound_id: int) -> Place:
    """The compound with its grid, community and street; 404 when this service has not heard of it."""
    row = (
        await session.execute(
            select(
                compound_projection.c.community_id, compound_projection.c.street_id, compound_projection.c.grid_id
            ).where(compound_projection.c.compound_id == compound_id)
        )
    ).first()
    if row is None:
        raise _unknown(compound_id)
    return Place(street_id=row.street_id, community_id=row.community_id, grid_id=row.grid_id, compound_id=compound_id)


async def require_party_lead(session: AsyncSession, principal: Principal, compound_id: int) -> None:
    """The party organisation leads triage (三事分流): a party member of the compound, the
    community's admin, a street admin; otherwise 403."""
    if is_staff_of(principal, await place_of(session, compound_id), Role.party_member):
        return
    raise Forbidden(
        "只有本小区党组织（党员）、社区或街道管理员可以分流议题",
        "Only the compound's party organisation, the community or the street may triage",
        code=ErrorCode.not_party_lead,
    )


async def can_read_everything(session: AsyncSession, principal: Principal, compound_id: int) -> bool:
    """The supervisory committee (and the committee that runs the vote) see every record, as do
    ops and the auditors of the compound or above."""
    if principal.holds_everywhere(Role.ops) or principal.holds_at(Role.auditor, await place_of(session, compound_id)):
        return True
    held = await seats(session, compound_id, principal.person_id)
    return Body.supervisory_committee in held or bool(held & set(COMMITTEE_BODIES))


async def _holds_role_in(session: AsyncSession, principal: Principal, compound_id: int) -> bool:
    """Holds any role scoped to the compound (owner, party member, property staff, ...), heads
    one of its buildings, or sits on one of its bodies."""
    if any(g.scope_kind == "compound" and g.scope_id == compound_id for g in principal.grants):
        return True
    building_ids = [g.scope_id for g in principal.grants if g.role == Role.building_head and g.scope_kind == "building"]
    if building_ids and await session.scalar(
        select(BuildingView.building_id).where(
            BuildingView.building_id.in_(building_ids), BuildingView.compound_id == compound_id
        )
    ):
        return True
    if await represents_developer(session, compound_id, principal.person_id):
        return True
    return bool(await seats(session, compound_id, principal.person_id))


async def represents_developer(session: AsyncSession, compound_id: int, person_id: int | None) -> bool:
    """Whether the person now represents the developer in this compound (recorded by its
    community or street; the developer votes as one owner, so it reads what owners read)."""
    if person_id is None:
        return False
    found = await session.scalar(
        select(DeveloperRepresentative.id)
        .where(
            DeveloperRepresentative.compound_id == compound_id,
            DeveloperRepresentative.person_id == person_id,
            DeveloperRepresentative.ended_at.is_(None),
        )
        .limit(1)
    )
    return found is not None


async def require_reader(session: AsyncSession, principal: Principal, compound_id: int) -> None:
    """Proposals, votes, tallies and the convention are the compound's own business (公示 on its
    notice board, not on the internet): readable by whoever holds a role in the compound
    (owners, party members, the three bodies, building heads of its buildings, its property
    staff), by the admins of its community and street, and by auditors and ops; else 403."""
    place = await place_of(session, compound_id)
    if is_staff_of(principal, place, Role.auditor) or await _holds_role_in(session, principal, compound_id):
        return
    raise Forbidden(
        "只有本小区业主、党员、议事会/业委会/监委会成员及所属社区、街道可查看",
        "Only people who hold a role in this compound, and its community and street, may read this",
        code=ErrorCode.not_in_compound,
    )


async def _lives_in(session: AsyncSession, principal: Principal, compound_id: int) -> bool:
    """A resident of one of the compound's households."""
    households = [g.scope_id for g in principal.grants if g.role == Role.resident and g.scope_kind == "household"]
    if not households:
        return False
    found = await session.scalar(
        select(HouseholdView.household_id)
        .where(HouseholdView.household_id.in_(households), HouseholdView.compound_id == compound_id)
        .limit(1)
    )
    return found is not None


async def require_member(session: AsyncSession, principal: Principal, compound_id: int) -> None:
    """Who may put a matter forward in a compound (it enters the compound's permanent audit
    log): residents of its households, whoever holds a role in it, and its staff (its grid
    worker, the admins of its community and street, ops); else 403. Auditors only read."""
    place = await place_of(session, compound_id)
    if (
        is_staff_of(principal, place, Role.grid_worker)
        or await _holds_role_in(session, principal, compound_id)
        or await _lives_in(session, principal, compound_id)
    ):
        return
    raise Forbidden(
        "只有本小区居民、业主及本小区的工作人员可以提交议题",
        "Only residents, owners and staff of this compound may submit a proposal here",
        code=ErrorCode.not_in_compound,
    )


async def require_staff_or_seat(session: AsyncSession, principal: Principal, compound_id: int, *bodies: Body) -> None:
    """The compound's community or street (or ops), or a member of one of `bodies`; else 403."""
    if is_staff_of(principal, await place_of(session, compound_id)):
        return
    await require_seat(session, principal, compound_id, *bodies)
