"""Eligibility routes: who may take orders and claim wishes in a compound."""

from __future__ import annotations

from services.dispatch.matching import schemas as s
from services.dispatch.matching import service as m
from services.dispatch.points.service import require_compound_reader
from shared.auth import CurrentPrincipal
from shared.http import Session, service_router

router = service_router("/api/v1/dispatch", tags=["matching 接单资格"])


@router.get(
    "/eligibility/{compound_id}",
    response_model=s.EligibilityOut,
    summary="接单资格 (which party members take orders and claim wishes in a compound)",
)
async def get_rule(compound_id: int, session: Session, principal: CurrentPrincipal) -> s.EligibilityOut:
    await require_compound_reader(session, principal, compound_id)
    return await m.get_rule(session, compound_id)


@router.put(
    "/eligibility/{compound_id}",
    response_model=s.EligibilityOut,
    summary="设置接单资格 (set a compound's rule; community or street admin)",
)
async def set_rule(
    compound_id: int, body: s.EligibilityUpdate, session: Session, principal: CurrentPrincipal
) -> s.EligibilityOut:
    return await m.set_rule(session, compound_id, body, principal)
