"""Writing a plan: its posts, and its call list drawn from the compound's party members,
volunteers and building heads (each callee checked to be what the list says)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.emergency import schemas as s
from services.registry.emergency.access import get_plan, require_compound_staff
from services.registry.emergency.domain import CalleeRole
from services.registry.emergency.models import EmergencyCallee, EmergencyPlan, EmergencyPost
from services.registry.emergency.reading import plan_detail
from services.registry.notifications.service import party_members_in
from services.registry.people.models import Head, Person
from services.registry.volunteers.models import Volunteer
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput


async def create_plan(session: AsyncSession, principal: Principal, body: s.PlanCreate) -> s.PlanOut:
    await require_compound_staff(session, principal, body.compound_id, "制定应急预案")
    names = [p.name for p in body.posts]
    if len(set(names)) != len(names):
        raise InvalidInput(
            "posts：岗位名称不能重复", "posts: post names must differ", details=[{"field": "posts", "value": names}]
        )
    taken = await session.scalar(
        select(EmergencyPlan.id).where(
            EmergencyPlan.compound_id == body.compound_id, EmergencyPlan.incident_kind == body.incident_kind.value
        )
    )
    if taken is not None:
        raise Conflict(
            f"本小区已有{body.incident_kind.label}应急预案（预案 {taken}），一类事件一个预案",
            f"The compound already has a {body.incident_kind.value} plan ({taken})",
            code=ErrorCode.duplicate,
            details={"field": "incident_kind", "existing_id": taken},
        )
    plan = EmergencyPlan(
        compound_id=body.compound_id, incident_kind=body.incident_kind.value, name=body.name, guidance=body.guidance
    )
    session.add(plan)
    await session.flush()
    session.add_all(EmergencyPost(plan_id=plan.id, name=p.name, location=p.location.strip()) for p in body.posts)
    await session.flush()
    return await plan_detail(session, plan)


async def callable_people(session: AsyncSession, compound_id: int) -> dict[tuple[int, CalleeRole], str]:
    """Who a plan of this compound may call, as what: its party members (checked in or living
    there), its active volunteers and the heads of its buildings, entrances and courtyards."""
    found: dict[int, list[CalleeRole]] = {}
    for person in await party_members_in(session, compound_id):
        found.setdefault(person, []).append(CalleeRole.party_member)
    for person in await session.scalars(
        select(Volunteer.person_id).where(Volunteer.compound_id == compound_id, Volunteer.active.is_(True))
    ):
        found.setdefault(person, []).append(CalleeRole.volunteer)
    for person in set(await session.scalars(select(Head.person_id).where(Head.compound_id == compound_id))):
        found.setdefault(person, []).append(CalleeRole.building_head)
    names = dict(
        (
            await session.execute(
                select(Person.id, Person.name).where(Person.id.in_(found), Person.anonymised.is_(False))
            )
        ).all()
    )
    return {(p, role): names[p] for p, roles in found.items() if p in names for role in roles}


async def list_callable(session: AsyncSession, principal: Principal, plan_id: int) -> list[s.CallableOut]:
    plan = await get_plan(session, plan_id)
    await require_compound_staff(session, principal, plan.compound_id, "查看应急预案")
    people = await callable_people(session, plan.compound_id)
    return [
        s.CallableOut(person_id=p, name=name, role=role)
        for (p, role), name in sorted(people.items(), key=lambda x: (list(CalleeRole).index(x[0][1]), x[0][0]))
    ]


async def add_callees(session: AsyncSession, principal: Principal, plan_id: int, body: s.CallListAdd) -> s.PlanOut:
    """Put people on the call list, each at one of the plan's posts; someone already on it, or
    not what the entry says they are in this compound, is refused and nothing is added."""
    plan = await get_plan(session, plan_id)
    await require_compound_staff(session, principal, plan.compound_id, "编制呼叫名单")
    posts = set(await session.scalars(select(EmergencyPost.id).where(EmergencyPost.plan_id == plan.id)))
    people = await callable_people(session, plan.compound_id)
    seen = set(await session.scalars(select(EmergencyCallee.person_id).where(EmergencyCallee.plan_id == plan.id)))
    for i, entry in enumerate(body.callees):
        if entry.post_id not in posts:
            raise InvalidInput(
                f"callees[{i}].post_id：岗位 {entry.post_id} 不属于该预案",
                f"callees[{i}].post_id: post {entry.post_id} is not one of the plan's",
                details=[{"field": f"callees[{i}].post_id", "value": entry.post_id}],
            )
        if (entry.person_id, entry.role) not in people:
            raise InvalidInput(
                f"callees[{i}]：人员 {entry.person_id} 不是本小区的{entry.role.label}",
                f"callees[{i}]: person {entry.person_id} is not a {entry.role.value} of the compound",
                details=[{"field": f"callees[{i}].person_id", "value": entry.person_id, "role": entry.role.value}],
            )
        if entry.person_id in seen:
            raise Conflict(
                f"callees[{i}]：人员 {entry.person_id} 已在呼叫名单中",
                f"callees[{i}]: person {entry.person_id} is on the call list already",
                code=ErrorCode.duplicate,
                details=[{"field": f"callees[{i}].person_id", "value": entry.person_id}],
            )
        seen.add(entry.person_id)
    session.add_all(
        EmergencyCallee(plan_id=plan.id, post_id=e.post_id, person_id=e.person_id, role=e.role.value)
        for e in body.callees
    )
    await session.flush()
    return await plan_detail(session, plan)
