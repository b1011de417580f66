"""Party members with their skills: register, update, remove, list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import entities
from services.registry.entities import get_or_404, referenced
from services.registry.pairings.models import Pairing
from services.registry.party import schemas as s
from services.registry.party.check_ins import end_active_check_in
from services.registry.party.domain import (
    PartyLedger,
    Skill,
    parse_skills,
)
from services.registry.party.kinds import PARTY_MEMBER, facts
from services.registry.party.models import CenterHousehold, CheckIn, MemberSkill, PartyMember, PartyOrg
from services.registry.party.visibility import member_readable, org_area
from services.registry.people.models import Person
from services.registry.scope import Reach, require_admin
from shared.auth import Principal
from shared.clock import clock_of
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput
from shared.responses import row_with


async def _person(session: AsyncSession, person_id: int) -> Person:
    person: Person = await referenced(session, Person, person_id, "person_id", "人员")
    if person.anonymised:
        raise InvalidInput(
            f"person_id：人员 {person_id} 已注销（匿名化），不能登记",
            f"person_id: person {person_id} has been removed (anonymised)",
            details=[{"field": "person_id", "value": person_id}],
        )
    return person


async def member_skills(session: AsyncSession, member_ids: Sequence[int]) -> dict[int, list[Skill]]:
    rows = (
        await session.execute(
            select(MemberSkill.party_member_id, MemberSkill.skill).where(MemberSkill.party_member_id.in_(member_ids))
        )
    ).all()
    held: dict[int, set[str]] = defaultdict(set)
    for member_id, skill in rows:
        held[member_id].add(skill)
    return {m: [k for k in Skill if k.value in held[m]] for m in member_ids}


def _set_member_facts(member: PartyMember, person: Person, skills: list[Skill]) -> None:
    facts(member).update(
        name=person.name, household_id=person.household_id, compound_id=person.compound_id, skills=skills
    )


async def load_member(session: AsyncSession, member: PartyMember) -> PartyMember:
    """Attach the member's name, home and skills (for showing and for events)."""
    person = await session.get(Person, member.person_id)
    assert person is not None  # the foreign key guarantees it
    _set_member_facts(member, person, (await member_skills(session, [member.id]))[member.id])
    return member


def show_member(e: PartyMember) -> s.PartyMemberOut:
    """Name, home and skills are loaded beside the row (`load_member`)."""
    return s.PartyMemberOut.model_validate(row_with(e, **facts(e)))


def _duplicate_member(person: Person) -> Conflict:
    return Conflict(
        f"{person.name}（人员 {person.id}）已登记为党员",
        f"Person {person.id} is already registered as a party member",
        code=ErrorCode.duplicate,
        details={"field": "person_id", "value": person.id},
    )


async def _replace_skills(session: AsyncSession, member_id: int, skills: list[Skill]) -> None:
    await session.execute(delete(MemberSkill).where(MemberSkill.party_member_id == member_id))
    session.add_all(MemberSkill(party_member_id=member_id, skill=k.value) for k in skills)
    await session.flush()


async def register_member(
    session: AsyncSession,
    person: Person,
    org: PartyOrg,
    ledger: PartyLedger,
    skills: list[Skill],
    *,
    on_duty: bool = True,
    max_open_orders: int = 3,
) -> PartyMember:
    """Save a party member with their skills and announce it (no authorisation: for the route
    below, imports and demo data)."""
    member = PartyMember(
        person_id=person.id,
        ledger=ledger.value,
        party_org_id=org.id,
        on_duty=on_duty,
        max_open_orders=max_open_orders,
    )
    _set_member_facts(member, person, skills)
    saved = await entities.create(session, PARTY_MEMBER, member, _duplicate_member(person))
    await _replace_skills(session, saved.id, skills)
    return saved


async def create_member(session: AsyncSession, body: s.PartyMemberCreate, principal: Principal) -> PartyMember:
    person = await _person(session, body.person_id)
    org: PartyOrg = await referenced(session, PartyOrg, body.party_org_id, "party_org_id", "党组织")
    skills = parse_skills(body.skills)
    require_admin(principal, await org_area(session, org))
    return await register_member(
        session, person, org, body.ledger, skills, on_duty=body.on_duty, max_open_orders=body.max_open_orders
    )


async def update_member(
    session: AsyncSession, member_id: int, body: s.PartyMemberUpdate, principal: Principal
) -> PartyMember:
    member = await load_member(session, await get_or_404(session, PARTY_MEMBER, member_id))
    require_admin(principal, await org_area(session, await session.get_one(PartyOrg, member.party_org_id)))
    changes = {k: v for k, v in body.model_dump(exclude_unset=True, exclude={"version"}).items() if v is not None}
    if "party_org_id" in changes:
        org: PartyOrg = await referenced(session, PartyOrg, changes["party_org_id"], "party_org_id", "党组织")
        require_admin(principal, await org_area(session, org))
    if "ledger" in changes:
        changes["ledger"] = str(changes["ledger"])
    if "skills" in changes:
        skills = parse_skills(changes.pop("skills"))
        entities.check_version(PARTY_MEMBER, member, body.version)
        await _replace_skills(session, member.id, skills)
        facts(member)["skills"] = skills
        changes["updated_at"] = clock_of(session)()  # a new version, so consumers see the new set
    saved = await entities.update(session, PARTY_MEMBER, member, body.version, changes)
    if saved.ledger != PartyLedger.in_service:
        await end_active_check_in(session, saved)
    return saved


async def remove_member(session: AsyncSession, member_id: int, version: int, principal: Principal) -> None:
    member = await load_member(session, await get_or_404(session, PARTY_MEMBER, member_id))
    require_admin(principal, await org_area(session, await session.get_one(PartyOrg, member.party_org_id)))
    entities.check_version(PARTY_MEMBER, member, version)
    attached = {
        "check_ins": await session.scalar(select(func.count()).where(CheckIn.party_member_id == member.id)) or 0,
        "center_households": await session.scalar(
            select(func.count()).where(CenterHousehold.party_member_id == member.id)
        )
        or 0,
        "pairings": await session.scalar(select(func.count()).where(Pairing.party_member_id == member.id)) or 0,
    }
    if any(attached.values()):
        raise Conflict(
            f"党员“{facts(member)['name']}”仍有 {attached['check_ins']} 条报到记录、"
            f"{attached['center_households']} 个党员中心户、{attached['pairings']} 条包联，不能删除；"
            "如已转出，请改为修改台账或所属党组织",
            f"Party member {member.id} still has check-ins, center households or pairings attached",
            code=ErrorCode.still_referenced,
            details=attached,
        )
    await session.execute(delete(MemberSkill).where(MemberSkill.party_member_id == member.id))
    await entities.remove(session, PARTY_MEMBER, member, version)


async def list_members(
    session: AsyncSession,
    reach: Reach,
    *,
    party_org_id: int | None,
    compound_id: int | None,
    ledger: PartyLedger | None,
    skill: Skill | None,
    limit: int,
    offset: int,
) -> list[s.PartyMemberOut]:
    query = (
        select(PartyMember, Person)
        .join(Person, Person.id == PartyMember.person_id)
        .where(member_readable(reach))
        .order_by(PartyMember.id)
        .limit(limit)
        .offset(offset)
    )
    if party_org_id is not None:
        query = query.where(PartyMember.party_org_id == party_org_id)
    if compound_id is not None:
        query = query.where(Person.compound_id == compound_id)
    if ledger is not None:
        query = query.where(PartyMember.ledger == ledger.value)
    if skill is not None:
        query = query.where(
            PartyMember.id.in_(select(MemberSkill.party_member_id).where(MemberSkill.skill == skill.value))
        )
    rows = (await session.execute(query)).all()
    skills = await member_skills(session, [m.id for m, _ in rows])
    for member, person in rows:
        _set_member_facts(member, person, skills[member.id])
    return [show_member(m) for m, _ in rows]
