"""Raising the response (社区呼叫、分级响应): compound → community → street; each raise tells
the next level's staff and is a line of the record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.emergency import schemas as s
from services.registry.emergency.access import get_activation, require_compound_staff
from services.registry.emergency.domain import ActivationStep, ResponseLevel, next_level
from services.registry.emergency.models import EmergencyActivation
from services.registry.emergency.notices import tell_level
from services.registry.emergency.timeline import guard, log_step
from services.registry.notifications.service import Routing
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict
from shared.locking import check_version


async def escalate(
    session: AsyncSession,
    principal: Principal,
    routing: Routing,
    activation_id: int,
    body: s.ActivationEscalate,
    now: datetime,
) -> EmergencyActivation:
    activation = await get_activation(session, activation_id)
    await require_compound_staff(session, principal, activation.compound_id, "升级应急响应")
    guard(activation, ActivationStep.escalate)
    check_version("应急响应", "The emergency activation", activation.version, body.version)
    raised = next_level(ResponseLevel(activation.level))
    if raised is None:
        raise Conflict(
            "已是街道级响应，不能再升级", "The response is already at the street level", code=ErrorCode.top_level
        )
    activation.level = raised.value
    told = await tell_level(session, routing, activation, raised, body.note, now)
    log_step(session, activation, ActivationStep.escalate, principal.person_id, now, body.note, told)
    await session.flush()
    return activation
