"""Routes of the visit ledger (走访台账)."""

from __future__ import annotations

from fastapi import status

from services.registry.visits import reading, recording
from services.registry.visits import schemas as s
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.http import Session, service_router
from shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = service_router("/api/v1/registry", tags=["走访台账 (household visits)"])


@router.post(
    "/household-visits",
    status_code=status.HTTP_201_CREATED,
    response_model=s.HouseholdVisitOut,
    summary="记录入户走访：本网格网格员 (record a household visit: the grid worker of its grid)",
)
async def record_visit(
    body: s.HouseholdVisitCreate, now: Now, session: Session, principal: CurrentPrincipal
) -> s.HouseholdVisitOut:
    return await recording.record_visit(session, principal, body, now)


@router.get(
    "/household-visits",
    response_model=s.HouseholdVisitPage,
    summary="走访台账：一户、一个小区或一个网格，该处工作人员可查 (the visit ledger of a household, compound or grid)",
)
async def list_visits(
    session: Session,
    principal: CurrentPrincipal,
    household_id: int | None = None,
    compound_id: int | None = None,
    grid_id: int | None = None,
    follow_up_needed: bool | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> s.HouseholdVisitPage:
    return await reading.list_visits(
        session,
        principal,
        household_id=household_id,
        compound_id=compound_id,
        grid_id=grid_id,
        follow_up_needed=follow_up_needed,
        cursor=cursor,
        limit=limit,
    )
