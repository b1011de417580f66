"""The called person answers: acknowledges the call (确认收到), then reports at their post
(到岗报到). Only the person called; only while the response runs; answering twice keeps the
first time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.emergency import schemas as s
from services.registry.emergency.access import get_activation
from services.registry.emergency.domain import ActivationStep
from services.registry.emergency.models import EmergencyActivation, RollCall
from services.registry.emergency.timeline import guard, log_step
from shared.auth import Principal
from shared.errors import NotFound


async def _my_call(
    session: AsyncSession, principal: Principal, activation_id: int
) -> tuple[EmergencyActivation, RollCall]:
    activation = await get_activation(session, activation_id)
    call = (
        await session.scalar(
            select(RollCall).where(RollCall.activation_id == activation.id, RollCall.person_id == principal.person_id)
        )
        if principal.person_id is not None
        else None
    )
    if call is None:
        # Not on the list: as good as no such response, for whoever probes.
        raise NotFound(
            f"应急响应 {activation_id} 不存在或您不在点名名单中",
            f"Emergency activation {activation_id} not found among your roll calls",
            details={"id": activation_id},
        )
    return activation, call


async def acknowledge(session: AsyncSession, principal: Principal, activation_id: int, now: datetime) -> RollCall:
    activation, call = await _my_call(session, principal, activation_id)
    guard(activation, ActivationStep.acknowledge)
    if call.acknowledged_at is None:
        call.acknowledged_at = now
        log_step(session, activation, ActivationStep.acknowledge, principal.person_id, now)
        await session.flush()
    return call


async def report_at_post(
    session: AsyncSession, principal: Principal, activation_id: int, body: s.AtPostReport, now: datetime
) -> RollCall:
    """At the post means the call was heard too (someone who comes straight away acknowledges by coming)."""
    activation, call = await _my_call(session, principal, activation_id)
    guard(activation, ActivationStep.report)
    if call.at_post_at is None:
        call.acknowledged_at = call.acknowledged_at or now
        call.at_post_at = now
        log_step(session, activation, ActivationStep.report, principal.person_id, now, body.note)
        await session.flush()
    return call
