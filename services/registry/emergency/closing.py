"""Ending a response (结束响应) with its summary: the roll call and timeline become its record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.emergency import schemas as s
from services.registry.emergency.access import get_activation, require_compound_staff
from services.registry.emergency.domain import ActivationStep
from services.registry.emergency.models import EmergencyActivation
from services.registry.emergency.timeline import guard, log_step
from shared.auth import Principal
from shared.locking import check_version


async def close(
    session: AsyncSession, principal: Principal, activation_id: int, body: s.ActivationClose, now: datetime
) -> EmergencyActivation:
    activation = await get_activation(session, activation_id)
    await require_compound_staff(session, principal, activation.compound_id, "结束应急响应")
    target = guard(activation, ActivationStep.close)
    check_version("应急响应", "The emergency activation", activation.version, body.version)
    activation.state = target.value
    activation.closed_at = now
    activation.summary = body.summary
    log_step(session, activation, ActivationStep.close, principal.person_id, now, body.summary)
    await session.flush()
    return activation
