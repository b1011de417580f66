"""SLA sheet routes: a street's, community's or grid's clocks per category and urgency, read and
set by staff of the place or above (a grid worker for his grid)."""

from __future__ import annotations

from services.dispatch.sla import places
from services.dispatch.sla import schemas as s
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.http import Session, service_router

router = service_router("/api/v1/dispatch", tags=["sla 时限设置"])


@router.get("/sla", response_model=s.SlaSheetOut, summary="时限设置：各类别各紧急程度的时限 (a place's SLA sheet)")
async def get_sla_sheet(level: s.Level, place_id: int, session: Session, principal: CurrentPrincipal) -> s.SlaSheetOut:
    return await places.sheet(session, principal, level, place_id)


@router.put(
    "/sla/{level}/{place_id}/{category}",
    response_model=s.SlaCategoryOut,
    summary="调整本地时限 (set a place's own clocks for a category)",
)
async def set_sla_figures(
    level: s.Level,
    place_id: int,
    category: str,
    body: s.SlaPlaceUpdate,
    now: Now,
    session: Session,
    principal: CurrentPrincipal,
) -> s.SlaCategoryOut:
    return await places.set_figures(session, principal, level, place_id, category, body, now)
