"""The route of deliberation's figures."""

from __future__ import annotations

from services.deliberation.figures import schemas as s
from services.deliberation.figures import service as fs
from shared.auth import CurrentPrincipal
from shared.figures import Asked
from shared.http import Session, service_router

router = service_router("/api/v1/deliberation", tags=["统计 (statistics)"])


@router.get(
    "/figures",
    response_model=s.DeliberationFigures,
    summary="议事统计：各阶段议题、近期表决的参与率与结果 (proposals by stage, turnout and outcome of votes)",
)
async def deliberation_figures(session: Session, principal: CurrentPrincipal, asked: Asked) -> s.DeliberationFigures:
    return await fs.figures(session, principal, asked.level, asked.place_id, asked.start, asked.end)
