"""Routes of the coverage statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from services.registry.stats import figures as rf
from services.registry.stats import schemas as s
from services.registry.stats import service as st
from shared.auth import CurrentPrincipal
from shared.figures import Asked
from shared.http import Session, service_router

router = service_router("/api/v1/registry", tags=["registry"])


@router.get(
    "/stats/coverage",
    response_model=s.CoverageReport,
    summary="覆盖率统计：党支部、楼栋长、业委会、党员报到、包联 (coverage per community and in total)",
    description="For staff of the street or community asked about (and their auditors); 403 for anyone else.",
    tags=["统计 (statistics)"],
)
async def coverage(
    session: Session,
    principal: CurrentPrincipal,
    street_id: Annotated[int | None, Query(gt=0)] = None,
    community_id: Annotated[int | None, Query(gt=0)] = None,
) -> s.CoverageReport:
    return await st.coverage(session, principal, street_id=street_id, community_id=community_id)


@router.get(
    "/figures",
    response_model=s.RegistryFigures,
    summary="治理看板：地点、下级地点与党建覆盖 (a place, the places below it, party coverage)",
    tags=["统计 (statistics)"],
)
async def registry_figures(session: Session, principal: CurrentPrincipal, asked: Asked) -> s.RegistryFigures:
    return await rf.figures(session, principal, asked.level, asked.place_id, asked.start, asked.end)
