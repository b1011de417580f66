"""Routes: rate-cards."""

from __future__ import annotations

from services.billing.rates import service
from services.billing.rates.domain import RateScope
from services.billing.rates.schemas import RateCardCreate, RateCardOut
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.http import Session, service_router

router = service_router("/api/v1/billing", tags=["billing: rate cards"])


@router.post("/rate-cards", status_code=201, response_model=RateCardOut, summary="新建收费标准 (create a rate card)")
async def create_rate_card(
    body: RateCardCreate, now: Now, session: Session, principal: CurrentPrincipal
) -> RateCardOut:
    return await service.create_card(session, principal, body, now)


@router.get("/rate-cards", response_model=list[RateCardOut], summary="收费标准 (a scope's rate cards)")
async def list_rate_cards(
    session: Session, _: CurrentPrincipal, scope_id: int, scope_kind: RateScope = RateScope.compound
) -> list[RateCardOut]:
    # Fee standards are public (公示): any signed-in caller may read them.
    return await service.list_cards(session, scope_kind, scope_id)
