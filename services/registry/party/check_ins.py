"""Check-ins (在职党员报到): a member checks in where they live, ends the check-in, and the lists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import entities
from services.registry.entities import get_or_404, referenced
from services.registry.party import schemas as s
from services.registry.party.domain import (
    PartyLedger,
    check_can_check_in,
    check_lives_in,
    normalise_post,
)
from services.registry.party.kinds import CHECK_IN, fact, facts
from services.registry.party.models import CheckIn, PartyMember
from services.registry.party.visibility import check_in_readable
from services.registry.people.models import Person
from services.registry.places.models import Compound
from services.registry.scope import Area, Reach, compound_area, require_admin
from shared.auth import Principal
from shared.clock import clock_of
from shared.error_codes import ErrorCode
from shared.errors import Conflict
from shared.responses import row_with


def show_check_in(e: CheckIn) -> s.CheckInOut:
    """The person who checked in is loaded beside the row (`facts`)."""
    return s.CheckInOut.model_validate(row_with(e, person_id=fact(e, "person_id"), name=fact(e, "name")))


async def _load_check_in(session: AsyncSession, check_in: CheckIn) -> CheckIn:
    row = (
        await session.execute(
            select(Person.id, Person.name)
            .join(PartyMember, PartyMember.person_id == Person.id)
            .where(PartyMember.id == check_in.party_member_id)
        )
    ).one()
    facts(check_in).update(person_id=row.id, name=row.name)
    return check_in


def _may_check_in(principal: Principal, area: Area, person_id: int) -> None:
    """The member themselves, or the compound's admins."""
    if principal.person_id is not None and principal.person_id == person_id:
        return
    require_admin(principal, area)


async def _end(session: AsyncSession, check_in: CheckIn, seen: int) -> CheckIn:
    await _load_check_in(session, check_in)
    return await entities.update(session, CHECK_IN, check_in, seen, {"ended_at": clock_of(session)()})


async def end_active_check_in(session: AsyncSession, member: PartyMember) -> None:
    active = await session.scalar(
        select(CheckIn).where(CheckIn.party_member_id == member.id, CheckIn.ended_at.is_(None))
    )
    if active is not None:
        await _end(session, active, active.version)


async def create_check_in(session: AsyncSession, body: s.CheckInCreate, principal: Principal) -> CheckIn:
    """在职党员报到: an in-service member reports to the compound where they live and takes a
    post; a new check-in ends the one before."""
    member: PartyMember = await referenced(session, PartyMember, body.party_member_id, "party_member_id", "党员")
    compound: Compound = await referenced(session, Compound, body.compound_id, "compound_id", "小区")
    person = await session.get_one(Person, member.person_id)
    check_can_check_in(PartyLedger(member.ledger))
    check_lives_in(compound.id, person.compound_id)
    post = normalise_post(body.post)
    _may_check_in(principal, await compound_area(session, compound.id), person.id)
    await end_active_check_in(session, member)
    check_in = CheckIn(party_member_id=member.id, compound_id=compound.id, post=post, checked_in_at=clock_of(session)())
    facts(check_in).update(person_id=person.id, name=person.name)
    return await entities.create(session, CHECK_IN, check_in)


async def end_check_in(session: AsyncSession, check_in_id: int, version: int, principal: Principal) -> CheckIn:
    check_in = await _load_check_in(session, await get_or_404(session, CHECK_IN, check_in_id))
    _may_check_in(principal, await compound_area(session, check_in.compound_id), facts(check_in)["person_id"])
    if check_in.ended_at is not None:
        raise Conflict(
            f"报到 {check_in.id} 已于 {check_in.ended_at:%Y-%m-%d} 结束",
            f"Check-in {check_in.id} has already ended",
            code=ErrorCode.already_ended,
            details={"id": check_in.id},
        )
    return await _end(session, check_in, version)


async def get_check_in(session: AsyncSession, reach: Reach, check_in_id: int) -> CheckIn:
    check_in = await entities.get_visible_or_404(session, CHECK_IN, check_in_id, check_in_readable(reach))
    return await _load_check_in(session, check_in)


async def list_check_ins(
    session: AsyncSession,
    reach: Reach,
    *,
    compound_id: int | None,
    party_member_id: int | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> list[s.CheckInOut]:
    query = (
        select(CheckIn, Person.id, Person.name)
        .join(PartyMember, PartyMember.id == CheckIn.party_member_id)
        .join(Person, Person.id == PartyMember.person_id)
        .where(check_in_readable(reach))
        .order_by(CheckIn.id)
        .limit(limit)
        .offset(offset)
    )
    if compound_id is not None:
        query = query.where(CheckIn.compound_id == compound_id)
    if party_member_id is not None:
        query = query.where(CheckIn.party_member_id == party_member_id)
    if active is not None:
        query = query.where(CheckIn.ended_at.is_(None) if active else CheckIn.ended_at.is_not(None))
    out = []
    for check_in, person_id, name in (await session.execute(query)).all():
        facts(check_in).update(person_id=person_id, name=name)
        out.append(show_check_in(check_in))
    return out
