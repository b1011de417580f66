"""Party use cases: the organisation tree, members with their skills and the four ledgers,
check-ins (在职党员报到) and center households with their 1+N mentored households.

Events carry facts that live outside the entity's own row (a member's name, home and skills;
a center household's mentored households). They are loaded before the entity is saved and kept
on the instance's SQLAlchemy state (`facts`), where the entity kinds read them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, inspect, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import entities
from services.registry.entities import EntityKind, get_or_404, referenced
from services.registry.pairings.models import Pairing
from services.registry.party import schemas as s
from services.registry.party.domain import (
    LEVELS,
    PartyLedger,
    PartyOrgLevel,
    Skill,
    check_can_check_in,
    check_inside_parent_place,
    check_lives_in,
    check_lives_in_household,
    check_mentored,
    check_no_cycle,
    check_parent_level,
    check_removable,
    check_same_compound,
    normalise_post,
    parse_skills,
    place_kind_of,
)
from services.registry.party.models import CenterHousehold, CheckIn, MemberSkill, Mentorship, PartyMember, PartyOrg
from services.registry.people.models import Person
from services.registry.places.domain import normalise_name
from services.registry.places.models import Building, Community, Compound, Grid, Household, Street
from services.registry.scope import Area, Reach, community_area, compound_area, require_admin, require_compound_staff
from shared.auth import Principal
from shared.clock import clock_of
from shared.contracts import registry as c
from shared.errors import Conflict, InvalidInput


def facts(entity: Any) -> dict[str, Any]:
    """What an entity's event needs beyond its own columns, loaded before it is saved."""
    info: dict[str, Any] = inspect(entity).info
    return info


def fact(entity: Any, name: str) -> Any:
    """One loaded fact; a clear error for code that saves the entity without loading them
    (use the functions of this module rather than `entities.create` directly)."""
    try:
        return facts(entity)[name]
    except KeyError:
        raise RuntimeError(
            f"{type(entity).__name__} {getattr(entity, 'id', None)}: {name!r} not loaded; "
            "save it through services.registry.party.service"
        ) from None


# --- kinds ---------------------------------------------------------------------------------


def _org_key(e: PartyOrg) -> int:
    compound_id = facts(e).get("compound_id")
    return int(compound_id) if compound_id is not None else e.id


PARTY_ORG = EntityKind(
    PartyOrg,
    "党组织",
    "party organisation",
    c.PartyOrgFields,
    lambda e: {
        "party_org_id": e.id,
        "parent_id": e.parent_id,
        "level": e.level,
        "name": e.name,
        "place_kind": e.place_kind,
        "place_id": e.place_id,
        "version": e.version,
    },
    _org_key,
)
PARTY_MEMBER = EntityKind(
    PartyMember,
    "党员",
    "party member",
    c.PartyMemberFields,
    lambda e: {
        "party_member_id": e.id,
        "person_id": e.person_id,
        "ledger": e.ledger,
        "party_org_id": e.party_org_id,
        "on_duty": e.on_duty,
        "max_open_orders": e.max_open_orders,
        "version": e.version,
        "name": fact(e, "name"),
        "household_id": fact(e, "household_id"),
        "compound_id": fact(e, "compound_id"),
        "skills": [str(skill) for skill in fact(e, "skills")],
    },
    lambda e: fact(e, "compound_id") or e.id,
)
CHECK_IN = EntityKind(
    CheckIn,
    "报到",
    "check-in",
    c.CheckInFields,
    lambda e: {
        "check_in_id": e.id,
        "party_member_id": e.party_member_id,
        "person_id": fact(e, "person_id"),
        "compound_id": e.compound_id,
        "post": e.post,
        "active": e.ended_at is None,
        "version": e.version,
    },
    lambda e: e.compound_id,
)
CENTER_HOUSEHOLD = EntityKind(
    CenterHousehold,
    "党员中心户",
    "center household",
    c.CenterHouseholdFields,
    lambda e: {
        "center_household_id": e.id,
        "household_id": e.household_id,
        "party_member_id": e.party_member_id,
        "compound_id": e.compound_id,
        "mentored_household_ids": fact(e, "mentored"),
        "version": e.version,
    },
    lambda e: e.compound_id,
)


def _base(e: Any) -> dict[str, Any]:
    return {"id": e.id, "version": e.version, "created_at": e.created_at}


async def _person(session: AsyncSession, person_id: int) -> Person:
    person: Person = await referenced(session, Person, person_id, "person_id", "人员")
    if person.anonymised:
        raise InvalidInput(
            f"person_id：人员 {person_id} 已注销（匿名化），不能登记",
            f"person_id: person {person_id} has been removed (anonymised)",
            details=[{"field": "person_id", "value": person_id}],
        )
    return person


# --- the organisation tree -----------------------------------------------------------------


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


def _duplicate_org(e: PartyOrg) -> Conflict:
    level = PartyOrgLevel(e.level)
    return Conflict(
        f"该{level.label}已存在：{e.place_kind} {e.place_id} 上只能有一个{level.label}",
        f"{e.place_kind} {e.place_id} already has a {level.value}",
        code="duplicate",
        details={"field": "place_id", "value": e.place_id, "level": e.level},
    )


def show_org(e: PartyOrg) -> s.PartyOrgOut:
    level = PartyOrgLevel(e.level)
    return s.PartyOrgOut(
        **_base(e),
        level=level,
        level_label=level.label,
        name=e.name,
        place_kind=e.place_kind,
        place_id=e.place_id,
        parent_id=e.parent_id,
    )


async def _check_parent(session: AsyncSession, level: PartyOrgLevel, place_id: int, parent_id: int | None) -> None:
    located = await locate(session, level, place_id)
    parent: PartyOrg | None = None
    if parent_id is not None:
        parent = await referenced(session, PartyOrg, parent_id, "parent_id", "上级党组织")
    check_parent_level(level, PartyOrgLevel(parent.level) if parent is not None else None)
    if parent is not None:
        check_inside_parent_place(level, place_id, located.container_id, parent.place_id)


async def create_org(session: AsyncSession, body: s.PartyOrgCreate, principal: Principal) -> PartyOrg:
    level = body.level
    kind = place_kind_of(level, body.place_kind)
    located = await locate(session, level, body.place_id)
    await _check_parent(session, level, body.place_id, body.parent_id)
    org = PartyOrg(
        level=level.value,
        name=normalise_name(body.name),
        place_kind=kind,
        place_id=body.place_id,
        parent_id=body.parent_id,
    )
    facts(org)["compound_id"] = located.compound_id
    require_admin(principal, located.area)
    return await entities.create(session, PARTY_ORG, org, _duplicate_org(org))


async def ancestors(session: AsyncSession, org_id: int) -> list[int]:
    """`org_id` and the organisations above it, nearest first (bounded, so bad data cannot loop)."""
    chain: list[int] = []
    current: int | None = org_id
    while current is not None and current not in chain and len(chain) <= len(LEVELS):
        chain.append(current)
        current = await session.scalar(select(PartyOrg.parent_id).where(PartyOrg.id == current))
    return chain


async def update_org(session: AsyncSession, org_id: int, body: s.PartyOrgUpdate, principal: Principal) -> PartyOrg:
    org = await get_or_404(session, PARTY_ORG, org_id)
    level = PartyOrgLevel(org.level)
    located = await locate(session, level, org.place_id)
    require_admin(principal, located.area)
    facts(org)["compound_id"] = located.compound_id
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    if changes.get("name") is not None:
        changes["name"] = normalise_name(changes["name"])
    else:
        changes.pop("name", None)
    if "parent_id" in changes:
        new_parent = changes["parent_id"]
        if new_parent is not None:
            check_no_cycle(org.id, org.name, await ancestors(session, new_parent))
        await _check_parent(session, level, org.place_id, new_parent)
    return await entities.update(session, PARTY_ORG, org, body.version, changes, _duplicate_org(org))


async def remove_org(session: AsyncSession, org_id: int, version: int, principal: Principal) -> None:
    org = await get_or_404(session, PARTY_ORG, org_id)
    located = await locate(session, PartyOrgLevel(org.level), org.place_id)
    require_admin(principal, located.area)
    facts(org)["compound_id"] = located.compound_id
    children = await session.scalar(select(func.count()).where(PartyOrg.parent_id == org.id)) or 0
    members = await session.scalar(select(func.count()).where(PartyMember.party_org_id == org.id)) or 0
    entities.check_version(PARTY_ORG, org, version)
    check_removable(org.name, children, members)
    await entities.remove(session, PARTY_ORG, org, version)


async def list_orgs(
    session: AsyncSession,
    reach: Reach,
    *,
    parent_id: int | None,
    level: PartyOrgLevel | None,
    place_id: int | None,
    limit: int,
    offset: int,
) -> list[s.PartyOrgOut]:
    query = select(PartyOrg).where(org_readable(reach)).order_by(PartyOrg.id).limit(limit).offset(offset)
    if parent_id is not None:
        query = query.where(PartyOrg.parent_id == parent_id)
    if level is not None:
        query = query.where(PartyOrg.level == level.value)
    if place_id is not None:
        query = query.where(PartyOrg.place_id == place_id)
    return [show_org(e) for e in (await session.scalars(query)).all()]


async def org_tree(session: AsyncSession, reach: Reach, org_id: int) -> s.PartyOrgNode:
    """The organisation and everything below it, level by level, with member counts."""
    root = await entities.get_visible_or_404(session, PARTY_ORG, org_id, org_readable(reach))
    orgs: dict[int, PartyOrg] = {root.id: root}
    children: dict[int, list[int]] = defaultdict(list)
    frontier = [root.id]
    while frontier:
        below = (
            await session.scalars(select(PartyOrg).where(PartyOrg.parent_id.in_(frontier)).order_by(PartyOrg.id))
        ).all()
        frontier = []
        for org in below:
            if org.id in orgs:  # bad data: never loop
                continue
            orgs[org.id] = org
            assert org.parent_id is not None
            children[org.parent_id].append(org.id)
            frontier.append(org.id)
    counts = dict(
        (
            await session.execute(
                select(PartyMember.party_org_id, func.count())
                .where(PartyMember.party_org_id.in_(list(orgs)))
                .group_by(PartyMember.party_org_id)
            )
        ).all()
    )

    def node(org_id: int) -> s.PartyOrgNode:
        org = orgs[org_id]
        kids = [node(k) for k in children[org_id]]
        level = PartyOrgLevel(org.level)
        own = counts.get(org_id, 0)
        return s.PartyOrgNode(
            id=org.id,
            level=level,
            level_label=level.label,
            name=org.name,
            place_kind=org.place_kind,
            place_id=org.place_id,
            members=own,
            members_in_subtree=own + sum(k.members_in_subtree for k in kids),
            children=kids,
        )

    return node(root.id)


# --- members -------------------------------------------------------------------------------


async def _member_skills(session: AsyncSession, member_ids: Sequence[int]) -> dict[int, list[Skill]]:
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
    _set_member_facts(member, person, (await _member_skills(session, [member.id]))[member.id])
    return member


def show_member(e: PartyMember) -> s.PartyMemberOut:
    f = facts(e)
    ledger = PartyLedger(e.ledger)
    return s.PartyMemberOut(
        **_base(e),
        person_id=e.person_id,
        name=f["name"],
        household_id=f["household_id"],
        compound_id=f["compound_id"],
        ledger=ledger,
        ledger_label=ledger.label,
        party_org_id=e.party_org_id,
        skills=f["skills"],
        skill_labels=[k.label for k in f["skills"]],
        on_duty=e.on_duty,
        max_open_orders=e.max_open_orders,
    )


def _duplicate_member(person: Person) -> Conflict:
    return Conflict(
        f"{person.name}（人员 {person.id}）已登记为党员",
        f"Person {person.id} is already registered as a party member",
        code="duplicate",
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
        await _end_active_check_in(session, saved)
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
            code="still_referenced",
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
    skills = await _member_skills(session, [m.id for m, _ in rows])
    for member, person in rows:
        _set_member_facts(member, person, skills[member.id])
    return [show_member(m) for m, _ in rows]


async def compound_ledgers(session: AsyncSession, reach: Reach, compound_id: int) -> s.CompoundLedgers:
    """四类党员台账: the members living in a compound, ledger by ledger (for its staff)."""
    await require_compound_staff(session, reach, compound_id)
    compound = await session.get_one(Compound, compound_id)
    rows = (
        await session.execute(
            select(PartyMember, Person)
            .join(Person, Person.id == PartyMember.person_id)
            .where(Person.compound_id == compound_id)
            .order_by(PartyMember.id)
        )
    ).all()
    skills = await _member_skills(session, [m.id for m, _ in rows])
    checked_in = set(
        (
            await session.scalars(
                select(CheckIn.party_member_id).where(
                    CheckIn.party_member_id.in_([m.id for m, _ in rows]), CheckIn.ended_at.is_(None)
                )
            )
        ).all()
    )
    by_ledger: dict[str, list[s.LedgerEntry]] = defaultdict(list)
    for member, person in rows:
        by_ledger[member.ledger].append(
            s.LedgerEntry(
                party_member_id=member.id,
                person_id=person.id,
                name=person.name,
                household_id=person.household_id,
                party_org_id=member.party_org_id,
                skills=skills[member.id],
                skill_labels=[k.label for k in skills[member.id]],
                checked_in=member.id in checked_in,
            )
        )
    return s.CompoundLedgers(
        compound_id=compound.id,
        compound_name=compound.name,
        total=len(rows),
        ledgers=[
            s.Ledger(ledger=ledger, label=ledger.label, count=len(by_ledger[ledger]), members=by_ledger[ledger])
            for ledger in PartyLedger
        ],
    )


# --- check-ins -----------------------------------------------------------------------------


def show_check_in(e: CheckIn) -> s.CheckInOut:
    return s.CheckInOut(
        **_base(e),
        party_member_id=e.party_member_id,
        person_id=fact(e, "person_id"),
        name=fact(e, "name"),
        compound_id=e.compound_id,
        post=e.post,
        checked_in_at=e.checked_in_at,
        ended_at=e.ended_at,
        active=e.ended_at is None,
    )


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


async def _end_active_check_in(session: AsyncSession, member: PartyMember) -> None:
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
    await _end_active_check_in(session, member)
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
            code="already_ended",
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


# --- center households ---------------------------------------------------------------------


async def _mentored(session: AsyncSession, center_ids: Sequence[int]) -> dict[int, list[int]]:
    rows = (
        await session.execute(
            select(Mentorship.center_household_id, Mentorship.household_id)
            .where(Mentorship.center_household_id.in_(center_ids))
            .order_by(Mentorship.household_id)
        )
    ).all()
    out: dict[int, list[int]] = {cid: [] for cid in center_ids}
    for center_id, household_id in rows:
        out[center_id].append(household_id)
    return out


async def load_center(session: AsyncSession, center: CenterHousehold) -> CenterHousehold:
    facts(center)["mentored"] = (await _mentored(session, [center.id]))[center.id]
    return center


def show_center(e: CenterHousehold) -> s.CenterHouseholdOut:
    return s.CenterHouseholdOut(
        **_base(e),
        household_id=e.household_id,
        party_member_id=e.party_member_id,
        compound_id=e.compound_id,
        mentored_household_ids=fact(e, "mentored"),
    )


async def _check_mentored(session: AsyncSession, household: Household, mentored: list[int]) -> list[int]:
    chosen = check_mentored(household.id, mentored)
    found = dict(
        (await session.execute(select(Household.id, Household.compound_id).where(Household.id.in_(chosen)))).all()
    )
    missing = [h for h in chosen if h not in found]
    if missing:
        raise InvalidInput(
            f"mentored_household_ids：住户 {'、'.join(map(str, missing))} 不存在",
            f"mentored_household_ids: households {missing} not found",
            details=[{"field": "mentored_household_ids", "value": missing}],
        )
    check_same_compound(household.compound_id, [h for h in chosen if found[h] != household.compound_id])
    return sorted(chosen)


async def _replace_mentored(session: AsyncSession, center_id: int, mentored: list[int]) -> None:
    await session.execute(delete(Mentorship).where(Mentorship.center_household_id == center_id))
    session.add_all(Mentorship(center_household_id=center_id, household_id=h) for h in mentored)
    await session.flush()


async def create_center(session: AsyncSession, body: s.CenterHouseholdCreate, principal: Principal) -> CenterHousehold:
    household: Household = await referenced(session, Household, body.household_id, "household_id", "住户")
    member: PartyMember = await referenced(session, PartyMember, body.party_member_id, "party_member_id", "党员")
    person = await session.get_one(Person, member.person_id)
    check_lives_in_household(household.id, person.household_id)
    mentored = await _check_mentored(session, household, body.mentored_household_ids)
    require_admin(principal, await compound_area(session, household.compound_id))
    center = CenterHousehold(household_id=household.id, party_member_id=member.id, compound_id=household.compound_id)
    facts(center)["mentored"] = mentored
    duplicate = Conflict(
        f"住户 {household.id} 已是党员中心户",
        f"Household {household.id} is already a center household",
        code="duplicate",
        details={"field": "household_id", "value": household.id},
    )
    saved = await entities.create(session, CENTER_HOUSEHOLD, center, duplicate)
    await _replace_mentored(session, saved.id, mentored)
    return saved


async def update_center(
    session: AsyncSession, center_id: int, body: s.CenterHouseholdUpdate, principal: Principal
) -> CenterHousehold:
    center = await load_center(session, await get_or_404(session, CENTER_HOUSEHOLD, center_id))
    require_admin(principal, await compound_area(session, center.compound_id))
    changes: dict[str, Any] = {}
    if body.mentored_household_ids is not None:
        household = await session.get_one(Household, center.household_id)
        mentored = await _check_mentored(session, household, body.mentored_household_ids)
        entities.check_version(CENTER_HOUSEHOLD, center, body.version)
        await _replace_mentored(session, center.id, mentored)
        facts(center)["mentored"] = mentored
        changes["updated_at"] = clock_of(session)()
    return await entities.update(session, CENTER_HOUSEHOLD, center, body.version, changes)


async def remove_center(session: AsyncSession, center_id: int, version: int, principal: Principal) -> None:
    center = await load_center(session, await get_or_404(session, CENTER_HOUSEHOLD, center_id))
    require_admin(principal, await compound_area(session, center.compound_id))
    entities.check_version(CENTER_HOUSEHOLD, center, version)
    pairings = await session.scalar(select(func.count()).where(Pairing.center_household_id == center.id)) or 0
    if pairings:
        raise Conflict(
            f"党员中心户 {center.id} 仍有 {pairings} 条包联困难户记录，不能删除；请先解除包联",
            f"Center household {center.id} still has {pairings} pairings",
            code="still_referenced",
            details={"pairings": pairings},
        )
    await session.execute(delete(Mentorship).where(Mentorship.center_household_id == center.id))
    await entities.remove(session, CENTER_HOUSEHOLD, center, version)


async def list_centers(
    session: AsyncSession,
    reach: Reach,
    *,
    compound_id: int | None,
    party_member_id: int | None,
    limit: int,
    offset: int,
) -> list[s.CenterHouseholdOut]:
    query = (
        select(CenterHousehold).where(center_readable(reach)).order_by(CenterHousehold.id).limit(limit).offset(offset)
    )
    if compound_id is not None:
        query = query.where(CenterHousehold.compound_id == compound_id)
    if party_member_id is not None:
        query = query.where(CenterHousehold.party_member_id == party_member_id)
    centers = (await session.scalars(query)).all()
    mentored = await _mentored(session, [e.id for e in centers])
    for center in centers:
        facts(center)["mentored"] = mentored[center.id]
    return [show_center(e) for e in centers]
