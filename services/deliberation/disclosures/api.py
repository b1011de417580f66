"""Routes of disclosures (公示)."""

from __future__ import annotations

from fastapi import status

from services.deliberation.access import require_reader
from services.deliberation.disclosures import schemas as s
from services.deliberation.disclosures import service as d
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.http import Session, service_router

router = service_router("/api/v1/deliberation", tags=["公示 (disclosures)"])


@router.post(
    "/compounds/{compound_id}/disclosures",
    status_code=status.HTTP_201_CREATED,
    response_model=s.DisclosureOut,
    summary="监委会发布公示 (publish)",
)
async def publish(
    compound_id: int, body: s.DisclosureIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.DisclosureOut:
    return await d.publish(session, compound_id, body, principal, now)


@router.get("/compounds/{compound_id}/disclosures", response_model=list[s.DisclosureOut], summary="公示栏 (the board)")
async def board(compound_id: int, session: Session, principal: CurrentPrincipal) -> list[s.DisclosureOut]:
    await require_reader(session, principal, compound_id)
    return await d.of_compound(session, compound_id)
