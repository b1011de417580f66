"""The route of billing's figures."""

from __future__ import annotations

from services.billing.figures import schemas as s
from services.billing.figures import service as fs
from shared.auth import CurrentPrincipal
from shared.figures import Asked
from shared.http import Session, service_router

router = service_router("/api/v1/billing", tags=["统计 (statistics)"])


@router.get(
    "/figures",
    response_model=s.BillingFigures,
    summary="收费统计：收取率、欠费账龄、公共收益与433分配、资金余额 (collection, arrears, revenue, funds)",
)
async def billing_figures(session: Session, principal: CurrentPrincipal, asked: Asked) -> s.BillingFigures:
    return await fs.figures(session, principal, asked.level, asked.place_id, asked.start, asked.end)
