"""Recording a household visit: the grid worker of the household's grid, for what he saw."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.visits import schemas as s
from services.registry.visits.models import HouseholdVisit
from services.registry.visits.reading import household_place, show
from shared.auth import Principal, Role
from shared.errors import Forbidden, InvalidInput


async def record_visit(
    session: AsyncSession, principal: Principal, body: s.HouseholdVisitCreate, now: datetime
) -> s.HouseholdVisitOut:
    """The ledger is the grid worker's own record of his visits: only the grid worker of the
    household's grid writes it (admins read it; they do not visit in his name)."""
    where = await household_place(session, body.household_id)
    grid_id = where.area.grid_id
    if grid_id is None or not principal.has(Role.grid_worker, "grid", grid_id):
        raise Forbidden(
            "无权记录走访：只有该住户所在网格的网格员可以记录走访台账",
            "Forbidden to record a visit: only the grid worker of the household's grid records it",
        )
    visited_at = body.visited_at or now
    if visited_at > now:
        raise InvalidInput(
            "visited_at：走访时间不能晚于现在",
            "visited_at: a visit cannot be in the future",
            details=[{"field": "visited_at", "value": body.visited_at.isoformat() if body.visited_at else None}],
        )
    follow_up = (body.follow_up or "").strip() or None
    if body.follow_up_needed and follow_up is None:
        raise InvalidInput(
            "follow_up：需要跟进时请写明跟进事项",
            "follow_up: say what to follow up when a follow-up is needed",
            details=[{"field": "follow_up"}],
        )
    visit = HouseholdVisit(
        household_id=where.household_id,
        compound_id=where.area.compound_id,
        grid_id=grid_id,
        visitor_person_id=principal.person_id,
        visited_at=visited_at,
        found=body.found,
        follow_up_needed=body.follow_up_needed,
        follow_up=follow_up,
        created_at=now,
    )
    session.add(visit)
    await session.flush()
    return (await show(session, [visit]))[0]
