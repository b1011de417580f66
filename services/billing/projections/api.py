"""Routes: what billing knows of a compound's dwellings (the base of its bill runs)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import case, func, select

from services.billing.access import place_of, require_reader
from services.billing.projections.models import dwelling_projection, household_projection, ownership_projection
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
    d = dwelling_projection
    occupied = select(household_projection.c.dwelling_id).where(household_projection.c.active).scalar_subquery()
    owned = select(ownership_projection.c.dwelling_id).where(ownership_projection.c.active).scalar_subquery()
    row = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(d.c.area_c), 0),
                func.coalesce(func.sum(case(((d.c.sale_status != "sold") | d.c.delivered.is_(False), 1), else_=0)), 0),
                func.coalesce(func.sum(case((d.c.dwelling_id.not_in(occupied), 1), else_=0)), 0),
                func.coalesce(func.sum(case((d.c.dwelling_id.in_(owned), 1), else_=0)), 0),
            ).where(d.c.compound_id == compound_id, d.c.active)
        )
    ).one()
    count, area_c, unsold, vacant, with_owner = (int(v) for v in row)
    return DwellingSummary(
        compound_id=compound_id,
        dwellings=count,
        area_m2=f"{area_c // 100}.{area_c % 100:02d}",
        unsold_or_undelivered=unsold,
        vacant=vacant,
        owned=with_owner,
    )
