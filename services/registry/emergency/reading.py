"""Reading plans and activations: a plan with its posts and call list, an activation with its
roll call and timeline (the record), a compound's lists, real responses and drills counted
apart, and the caller's own roll calls."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.emergency import schemas as s
from services.registry.emergency.access import active_activation_of, require_compound_staff
from services.registry.emergency.models import (
    ActivationEntry,
    EmergencyActivation,
    EmergencyCallee,
    EmergencyPlan,
    EmergencyPost,
    RollCall,
)
from services.registry.people.models import Person
from services.registry.places.models import Compound
from shared.auth import Principal
from shared.errors import Forbidden
from shared.pagination import int_cursor, keyset_page


async def _names(session: AsyncSession, people: set[int]) -> dict[int, str]:
    return dict((await session.execute(select(Person.id, Person.name).where(Person.id.in_(people)))).all())


async def plan_detail(session: AsyncSession, plan: EmergencyPlan) -> s.PlanOut:
    posts = list(
        await session.scalars(select(EmergencyPost).where(EmergencyPost.plan_id == plan.id).order_by(EmergencyPost.id))
    )
    callees = list(
        await session.scalars(
            select(EmergencyCallee).where(EmergencyCallee.plan_id == plan.id).order_by(EmergencyCallee.id)
        )
    )
    names = await _names(session, {c.person_id for c in callees})
    post_names = {p.id: p.name for p in posts}
    active = await active_activation_of(session, plan.id)
    return s.PlanOut.model_validate(plan).model_copy(
        update={
            "posts": [s.EmergencyPostOut.model_validate(p) for p in posts],
            "callees": [
                s.CalleeOut(
                    id=c.id,
                    person_id=c.person_id,
                    name=names.get(c.person_id, ""),
                    role=c.role,
                    post_id=c.post_id,
                    post_name=post_names[c.post_id],
                )
                for c in callees
            ],
            "active_activation_id": active.id if active else None,
        }
    )


async def list_plans(
    session: AsyncSession, principal: Principal, compound_id: int, cursor: str | None, limit: int
) -> s.PlanPage:
    await require_compound_staff(session, principal, compound_id, "查看应急预案")
    query = select(EmergencyPlan).where(EmergencyPlan.compound_id == compound_id)
    after = int_cursor(cursor)
    if after is not None:
        query = query.where(EmergencyPlan.id < after)
    rows = (await session.scalars(query.order_by(EmergencyPlan.id.desc()).limit(limit + 1))).all()
    page, next_cursor = keyset_page(rows, limit, lambda p: p.id)
    return s.PlanPage(items=[await plan_detail(session, p) for p in page], next_cursor=next_cursor)


async def _tallies(session: AsyncSession, ids: list[int]) -> dict[int, s.RollCallTally]:
    rows = await session.execute(
        select(
            RollCall.activation_id,
            func.count(),
            func.count(RollCall.acknowledged_at),
            func.count(RollCall.at_post_at),
        )
        .where(RollCall.activation_id.in_(ids))
        .group_by(RollCall.activation_id)
    )
    return {a: s.RollCallTally(called=c, acknowledged=k, at_post=p) for a, c, k, p in rows.all()}


async def show(session: AsyncSession, activations: list[EmergencyActivation]) -> list[s.ActivationOut]:
    plans = dict(
        (
            await session.execute(
                select(EmergencyPlan.id, EmergencyPlan.name).where(
                    EmergencyPlan.id.in_({a.plan_id for a in activations})
                )
            )
        ).all()
    )
    compounds = dict(
        (
            await session.execute(
                select(Compound.id, Compound.name).where(Compound.id.in_({a.compound_id for a in activations}))
            )
        ).all()
    )
    tallies = await _tallies(session, [a.id for a in activations])
    return [
        s.ActivationOut.model_validate(a).model_copy(
            update={
                "plan_name": plans.get(a.plan_id, ""),
                "compound_name": compounds.get(a.compound_id, ""),
                "tally": tallies.get(a.id, s.RollCallTally(called=0, acknowledged=0, at_post=0)),
            }
        )
        for a in activations
    ]


async def detail(session: AsyncSession, activation: EmergencyActivation) -> s.ActivationDetail:
    """The activation as its record keeps it: who was called and answered, and its timeline."""
    [out] = await show(session, [activation])
    calls = list(
        await session.scalars(select(RollCall).where(RollCall.activation_id == activation.id).order_by(RollCall.id))
    )
    entries = list(
        await session.scalars(
            select(ActivationEntry)
            .where(ActivationEntry.activation_id == activation.id)
            .order_by(ActivationEntry.at, ActivationEntry.id)
        )
    )
    posts = dict(
        (
            await session.execute(
                select(EmergencyPost.id, EmergencyPost.name).where(EmergencyPost.plan_id == activation.plan_id)
            )
        ).all()
    )
    names = await _names(
        session, {c.person_id for c in calls} | {e.actor_person_id for e in entries if e.actor_person_id}
    )
    return s.ActivationDetail(
        **out.model_dump(exclude={"incident_kind_label", "state_label", "level_label", "drill_label"}),
        roll_call=[
            s.RollCallOut(
                person_id=c.person_id,
                name=names.get(c.person_id, ""),
                role=c.role,
                post_id=c.post_id,
                post_name=posts.get(c.post_id, ""),
                notification_id=c.notification_id,
                called_at=c.called_at,
                acknowledged_at=c.acknowledged_at,
                at_post_at=c.at_post_at,
            )
            for c in calls
        ],
        timeline=[
            s.ActivationEntryOut(
                at=e.at,
                step=e.step,
                level=e.level,
                actor_name=names.get(e.actor_person_id) if e.actor_person_id else None,
                note=e.note,
                notified=e.notified,
            )
            for e in entries
        ],
    )


async def readable_detail(
    session: AsyncSession, principal: Principal, activation: EmergencyActivation
) -> s.ActivationDetail:
    await require_compound_staff(session, principal, activation.compound_id, "查看应急响应")
    return await detail(session, activation)


async def list_activations(
    session: AsyncSession,
    principal: Principal,
    compound_id: int,
    drill: bool | None,
    cursor: str | None,
    limit: int,
) -> s.ActivationPage:
    await require_compound_staff(session, principal, compound_id, "查看应急响应")
    query = select(EmergencyActivation).where(EmergencyActivation.compound_id == compound_id)
    if drill is not None:
        query = query.where(EmergencyActivation.drill.is_(drill))
    after = int_cursor(cursor)
    if after is not None:
        query = query.where(EmergencyActivation.id < after)
    rows = (await session.scalars(query.order_by(EmergencyActivation.id.desc()).limit(limit + 1))).all()
    page, next_cursor = keyset_page(rows, limit, lambda a: a.id)
    return s.ActivationPage(items=await show(session, list(page)), next_cursor=next_cursor)


async def counts(session: AsyncSession, principal: Principal, compound_id: int) -> s.ActivationCounts:
    """Real responses and drills apart: a drill never swells the count of real emergencies."""
    await require_compound_staff(session, principal, compound_id, "查看应急响应")
    rows = (
        await session.execute(
            select(EmergencyActivation.incident_kind, EmergencyActivation.drill, func.count())
            .where(EmergencyActivation.compound_id == compound_id)
            .group_by(EmergencyActivation.incident_kind, EmergencyActivation.drill)
        )
    ).all()
    tally: Counter[tuple[str, bool]] = Counter({(kind, bool(drill)): n for kind, drill, n in rows})
    kinds = sorted({kind for kind, _ in tally})
    return s.ActivationCounts(
        compound_id=compound_id,
        real=sum(n for (_, drill), n in tally.items() if not drill),
        drills=sum(n for (_, drill), n in tally.items() if drill),
        by_kind={k: {"real": tally[(k, False)], "drills": tally[(k, True)]} for k in kinds},
    )


async def my_calls(session: AsyncSession, principal: Principal, limit: int) -> list[s.MyCall]:
    """The caller's own roll calls, newest first (a person without a registry record has none)."""
    if principal.person_id is None:
        raise Forbidden("只有登记在册的本人可以查看自己的点名", "Only a registered person has roll calls")
    rows = (
        await session.execute(
            select(RollCall, EmergencyActivation, EmergencyPlan.name, EmergencyPost, Compound.name)
            .join(EmergencyActivation, EmergencyActivation.id == RollCall.activation_id)
            .join(EmergencyPlan, EmergencyPlan.id == EmergencyActivation.plan_id)
            .join(EmergencyPost, EmergencyPost.id == RollCall.post_id)
            .join(Compound, Compound.id == EmergencyActivation.compound_id)
            .where(RollCall.person_id == principal.person_id)
            .order_by(RollCall.id.desc())
            .limit(limit)
        )
    ).all()
    return [
        s.MyCall(
            activation_id=a.id,
            plan_name=plan_name,
            compound_name=compound_name,
            incident_kind=a.incident_kind,
            drill=a.drill,
            state=a.state,
            level=a.level,
            situation=a.situation,
            post_name=post.name,
            post_location=post.location,
            role=call.role,
            called_at=call.called_at,
            acknowledged_at=call.acknowledged_at,
            at_post_at=call.at_post_at,
        )
        for call, a, plan_name, post, compound_name in rows
    ]
