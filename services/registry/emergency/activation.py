"""Activating a plan (启动预案): staff of the compound or above start a response, real or a
drill, at a level; everyone on the call list is called and the staff of each level up to the
starting one are told."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.emergency import schemas as s
from services.registry.emergency.access import active_activation_of, get_plan, require_compound_staff
from services.registry.emergency.domain import LEVELS, ActivationState, ActivationStep, drill_tag
from services.registry.emergency.models import EmergencyActivation, EmergencyCallee, RollCall
from services.registry.emergency.notices import send_roll_call, tell_level
from services.registry.emergency.timeline import log_step
from services.registry.notifications.service import Routing
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput


async def activate(
    session: AsyncSession, principal: Principal, routing: Routing, plan_id: int, body: s.ActivationCreate, now: datetime
) -> EmergencyActivation:
    plan = await get_plan(session, plan_id)
    await require_compound_staff(session, principal, plan.compound_id, "启动应急预案")
    running = await active_activation_of(session, plan.id)
    if running is not None:
        raise Conflict(
            f"预案「{plan.name}」正在响应中（第 {running.id} 号），请先结束本次响应",
            f"Plan {plan.id} is already activated ({running.id})",
            code=ErrorCode.already_active,
            details={"activation_id": running.id},
        )
    callees = list(await session.scalars(select(EmergencyCallee).where(EmergencyCallee.plan_id == plan.id)))
    if not callees:
        raise InvalidInput(
            "预案的呼叫名单为空，请先编制呼叫名单", "The plan's call list is empty", details=[{"field": "plan_id"}]
        )
    activation = EmergencyActivation(
        plan_id=plan.id,
        compound_id=plan.compound_id,
        incident_kind=plan.incident_kind,
        drill=body.drill,
        state=ActivationState.active.value,
        level=body.level.value,
        situation=body.situation,
        activated_by_person_id=principal.person_id,
        activated_at=now,
    )
    session.add(activation)
    await session.flush()
    calls = [
        RollCall(activation_id=activation.id, person_id=c.person_id, post_id=c.post_id, role=c.role, called_at=now)
        for c in callees
    ]
    session.add_all(calls)
    await session.flush()
    told = await send_roll_call(session, routing, activation, calls, now)
    log_step(
        session,
        activation,
        ActivationStep.activate,
        principal.person_id,
        now,
        drill_tag(body.drill) + body.situation,
        told,
    )
    # Starting above the compound (a street-wide flood) tells every level on the way up.
    for level in LEVELS[: LEVELS.index(body.level) + 1]:
        await tell_level(session, routing, activation, level, body.situation, now)
    await session.flush()
    return activation
