"""Finding plans and activations, and who may work on them: the staff of the compound or above
(its grid worker, the admins of its community and street, ops)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.emergency.models import EmergencyActivation, EmergencyPlan
from services.registry.people.staff import require_area_staff
from services.registry.scope import compound_area
from shared.auth import Principal
from shared.errors import NotFound


async def require_compound_staff(session: AsyncSession, principal: Principal, compound_id: int, action: str) -> None:
    """403 unless the caller is staff of the compound or above (404 for no such compound)."""
    require_area_staff(principal, await compound_area(session, compound_id), action, "work on emergency plans")


async def get_plan(session: AsyncSession, plan_id: int) -> EmergencyPlan:
    plan = await session.get(EmergencyPlan, plan_id)
    if plan is None:
        raise NotFound(f"应急预案 {plan_id} 不存在", f"Emergency plan {plan_id} not found", details={"id": plan_id})
    return plan


async def get_activation(session: AsyncSession, activation_id: int) -> EmergencyActivation:
    found = await session.get(EmergencyActivation, activation_id)
    if found is None:
        raise NotFound(
            f"应急响应 {activation_id} 不存在",
            f"Emergency activation {activation_id} not found",
            details={"id": activation_id},
        )
    return found


async def active_activation_of(session: AsyncSession, plan_id: int) -> EmergencyActivation | None:
    return await session.scalar(
        select(EmergencyActivation).where(EmergencyActivation.plan_id == plan_id, EmergencyActivation.state == "active")
    )
