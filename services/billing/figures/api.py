"""The route of billing's figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query

from services.billing.figures import schemas as s
from services.billing.figures import service as fs
from shared.auth import CurrentPrincipal
from shared.clock import Today
from shared.figures import Level, period
from shared.http import Session, service_router

router = service_router("/api/v1/billing", tags=["统计 (statistics)"])


@router.get(
    "/figures",
    response_model=s.BillingFigures,
    summary="收费统计：收取率、欠费账龄、公共收益与433分配、资金余额 (collection, arrears, revenue, funds)",
)
async def billing_figures(
    today: Today,
    session: Session,
    principal: CurrentPrincipal,
    level: Level,
    place_id: Annotated[int, Query(gt=0)],
    date_from: date | None = None,
    date_to: date | None = None,
) -> s.BillingFigures:
    start, end = period(today, date_from, date_to)
    return await fs.figures(session, principal, level, place_id, start, end)
