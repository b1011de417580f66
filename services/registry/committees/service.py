"""Committee use cases: who sits on which body of which compound, in which role, one chair
per body."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import entities
from services.registry.committees import schemas as s
from services.registry.committees.domain import Body, MemberRole, check_one_chair, check_term
from services.registry.committees.models import Membership
from services.registry.entities import EntityKind, get_or_404
from services.registry.people.models import Person
from services.registry.places.models import Compound
from services.registry.scope import Reach, compound_area, require_admin
from shared.auth import Principal
from shared.clock import clock_of
from shared.contracts import registry as c
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput
from shared.responses import row_with

MEMBERSHIP = EntityKind(
    Membership,
    "任职",
    "committee membership",
    c.MembershipFields,
    lambda e: {
        "membership_id": e.id,
        "person_id": e.person_id,
        "body": e.body,
        "compound_id": e.compound_id,
        "role": e.role,
        "active": e.until is None,
        "version": e.version,
    },
    lambda e: e.compound_id,
)


def show_membership(e: Membership, name: str) -> s.MembershipOut:
    return s.MembershipOut.model_validate(row_with(e, name=name))


async def name_of(session: AsyncSession, e: Membership) -> str:
    return str(await session.scalar(select(Person.name).where(Person.id == e.person_id)) or "")


async def _sitting_chair(session: AsyncSession, body: str, compound_id: int, except_id: int | None) -> int | None:
    query = select(Membership.id).where(
        Membership.body == body,
        Membership.compound_id == compound_id,
        Membership.role == MemberRole.chair.value,
        Membership.until.is_(None),
    )
    if except_id is not None:
        query = query.where(Membership.id != except_id)
    return await session.scalar(query)


def _invalid(field: str, value: int, message: str, message_en: str) -> InvalidInput:
    return InvalidInput(message, message_en, details=[{"field": field, "value": value}])


async def create_membership(session: AsyncSession, body: s.MembershipCreate, principal: Principal) -> Membership:
    person = await session.get(Person, body.person_id)
    if person is None or person.anonymised:
        raise _invalid(
            "person_id",
            body.person_id,
            f"person_id：人员 {body.person_id} 不存在",
            f"person_id: person {body.person_id} not found",
        )
    if await session.get(Compound, body.compound_id) is None:
        raise _invalid(
            "compound_id",
            body.compound_id,
            f"compound_id：小区 {body.compound_id} 不存在",
            f"compound_id: compound {body.compound_id} not found",
        )
    require_admin(principal, await compound_area(session, body.compound_id))
    if body.role is MemberRole.chair:
        check_one_chair(body.body, body.compound_id, await _sitting_chair(session, body.body, body.compound_id, None))
    membership = Membership(
        person_id=person.id,
        body=body.body.value,
        compound_id=body.compound_id,
        role=body.role.value,
        since=body.since or clock_of(session).today(),
    )
    duplicate = Conflict(
        f"{person.name}已在该小区{body.body.label}任职",
        f"Person {person.id} already sits on this compound's {body.body.value}",
        code=ErrorCode.duplicate,
        details={"field": "person_id", "value": person.id, "body": body.body.value},
    )
    return await entities.create(session, MEMBERSHIP, membership, duplicate)


async def update_membership(
    session: AsyncSession, membership_id: int, body: s.MembershipUpdate, principal: Principal
) -> Membership:
    membership = await get_or_404(session, MEMBERSHIP, membership_id)
    require_admin(principal, await compound_area(session, membership.compound_id))
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"version"})
    if changes.get("role", "") is None:
        changes.pop("role")
    if "role" in changes:
        changes["role"] = str(changes["role"])
    if "until" in changes:
        check_term(membership.since, changes["until"])
    role = changes.get("role", membership.role)
    until = changes.get("until", membership.until)
    if role == MemberRole.chair and until is None:
        check_one_chair(
            Body(membership.body),
            membership.compound_id,
            await _sitting_chair(session, membership.body, membership.compound_id, membership.id),
        )
    return await entities.update(session, MEMBERSHIP, membership, body.version, changes)


async def remove_membership(session: AsyncSession, membership_id: int, version: int, principal: Principal) -> None:
    membership = await get_or_404(session, MEMBERSHIP, membership_id)
    require_admin(principal, await compound_area(session, membership.compound_id))
    await entities.remove(session, MEMBERSHIP, membership, version)


def membership_readable(reach: Reach) -> ColumnElement[bool]:
    """Who sits on a compound's bodies is known in the compound (and to its staff); everyone
    sees their own seats."""
    return or_(reach.sees_compound(Membership.compound_id), reach.is_self(Membership.person_id))


async def list_memberships(
    session: AsyncSession,
    reach: Reach,
    *,
    compound_id: int | None,
    body: Body | None,
    person_id: int | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> list[s.MembershipOut]:
    query = (
        select(Membership, Person.name)
        .join(Person, Person.id == Membership.person_id)
        .where(membership_readable(reach))
        .order_by(Membership.id)
        .limit(limit)
        .offset(offset)
    )
    if compound_id is not None:
        query = query.where(Membership.compound_id == compound_id)
    if body is not None:
        query = query.where(Membership.body == body.value)
    if person_id is not None:
        query = query.where(Membership.person_id == person_id)
    if active is not None:
        query = query.where(Membership.until.is_(None) if active else Membership.until.is_not(None))
    return [show_membership(m, name) for m, name in (await session.execute(query)).all()]
