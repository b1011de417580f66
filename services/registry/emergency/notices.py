"""What an activation tells, through the notifications: the roll call to everyone on the call
list (per post, so each message names where to go) and the notice to a response level's staff.
Each message's event id names the activation (and the level), so a retried step tells nobody twice."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.emergency.domain import IncidentKind, ResponseLevel, drill_tag
from services.registry.emergency.models import EmergencyActivation, EmergencyPlan, EmergencyPost, RollCall
from services.registry.notifications.domain import Kind
from services.registry.notifications.service import Routing, admins_of, grid_workers_of, notify
from services.registry.places.models import Compound


async def _params(session: AsyncSession, activation: EmergencyActivation) -> dict[str, Any]:
    plan = await session.get_one(EmergencyPlan, activation.plan_id)
    compound = await session.get_one(Compound, activation.compound_id)
    return {
        "activation_id": activation.id,
        "drill_tag": drill_tag(activation.drill),
        "plan_name": plan.name,
        "compound_name": compound.name,
        "incident_label": IncidentKind(activation.incident_kind).label,
        "level_label": ResponseLevel(activation.level).label,
    }


async def send_roll_call(
    session: AsyncSession, routing: Routing, activation: EmergencyActivation, calls: list[RollCall], now: datetime
) -> int:
    """An urgent message to each person called, naming their post; each roll-call row keeps the
    id of the message it sent. Returns how many were told."""
    params = await _params(session, activation)
    posts = {
        p.id: p for p in await session.scalars(select(EmergencyPost).where(EmergencyPost.plan_id == activation.plan_id))
    }
    by_post: dict[int, list[RollCall]] = defaultdict(list)
    for call in calls:
        by_post[call.post_id].append(call)
    told = 0
    for post_id, group in by_post.items():
        post = posts[post_id]
        sent = await notify(
            session,
            routing,
            f"emergency-{activation.id}-roll-call",
            Kind.emergency_roll_call,
            [c.person_id for c in group],
            {**params, "post_name": post.name, "post_location": f"（{post.location}）" if post.location else ""},
            now,
            urgent=True,
            compound_id=activation.compound_id,
        )
        ids = {n.person_id: n.id for n in sent}
        for call in group:
            call.notification_id = ids.get(call.person_id)
        told += len(sent)
    return told


async def staff_of_level(session: AsyncSession, activation: EmergencyActivation, level: ResponseLevel) -> list[int]:
    """Who answers for a level: the compound's grid workers (小区), the community's admins
    (社区), the street's admins (街道)."""
    compound = await session.get_one(Compound, activation.compound_id)
    if level is ResponseLevel.compound:
        return await grid_workers_of(session, compound.grid_id) if compound.grid_id is not None else []
    return await admins_of(session, level.value, compound.community_id)


async def tell_level(
    session: AsyncSession,
    routing: Routing,
    activation: EmergencyActivation,
    level: ResponseLevel,
    note: str,
    now: datetime,
) -> int:
    """The notice to one level's staff that the response has reached them; how many were told."""
    people = await staff_of_level(session, activation, level)
    params = {**await _params(session, activation), "level_label": level.label, "note": note or "无"}
    sent = await notify(
        session,
        routing,
        f"emergency-{activation.id}-level-{level.value}",
        Kind.emergency_response,
        people,
        params,
        now,
        urgent=True,
        compound_id=activation.compound_id,
    )
    return len(sent)
