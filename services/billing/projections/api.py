"""Routes: what billing knows of a compound's dwellings (the base of its bill runs)."""

from __future__ import annotations

from pydantic import BaseModel

from services.billing.access import place_of, require_reader
from services.billing.projections import queries
from shared.auth import CurrentPrincipal
from shared.http import Session, service_router

router = service_router("/api/v1/billing", tags=["billing: projections"])


class DwellingSummary(BaseModel):
    compound_id: int
    dwellings: int
    area_m2: str
    unsold_or_undelivered: int
    vacant: int
    owned: int


@router.get(
    "/compounds/{compound_id}/dwellings",
    response_model=DwellingSummary,
    summary="本服务所知的房屋 (dwellings billing knows of a compound)",
)
async def dwelling_summary(compound_id: int, session: Session, principal: CurrentPrincipal) -> DwellingSummary:
    require_reader(principal, await place_of(session, compound_id))
    counts = await queries.dwelling_counts(session, compound_id)
    return DwellingSummary(
        compound_id=compound_id,
        dwellings=counts.dwellings,
        area_m2=f"{counts.area_c // 100}.{counts.area_c % 100:02d}",
        unsold_or_undelivered=counts.unsold_or_undelivered,
        vacant=counts.vacant,
        owned=counts.owned,
    )
