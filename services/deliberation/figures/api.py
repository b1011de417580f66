"""The route of deliberation's figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query

from services.deliberation.figures import schemas as s
from services.deliberation.figures import service as fs
from shared.auth import CurrentPrincipal
from shared.clock import Today
from shared.figures import Level, period
from shared.http import Session, service_router

router = service_router("/api/v1/deliberation", tags=["统计 (statistics)"])


@router.get(
    "/figures",
    response_model=s.DeliberationFigures,
    summary="议事统计：各阶段议题、近期表决的参与率与结果 (proposals by stage, turnout and outcome of votes)",
)
async def deliberation_figures(
    today: Today,
    session: Session,
    principal: CurrentPrincipal,
    level: Level,
    place_id: Annotated[int, Query(gt=0)],
    date_from: date | None = None,
    date_to: date | None = None,
) -> s.DeliberationFigures:
    start, end = period(today, date_from, date_to)
    return await fs.figures(session, principal, level, place_id, start, end)
