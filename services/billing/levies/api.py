"""Routes: levies (read-only; they come from deliberation's LevyPassed)."""

from __future__ import annotations

from pydantic import BaseModel

from services.billing.access import place_of, require_reader
from services.billing.levies import queries
from shared.auth import CurrentPrincipal
from shared.http import Session, service_router

router = service_router("/api/v1/billing", tags=["billing: levies"])


class LevyOut(BaseModel):
    decision_id: str
    proposal_id: str
    compound_id: int
    title: str
    formula: str
    total_fen: int | None
    per_household_fen: int | None
    bill_count: int
    amount_fen: int
    due_date: str | None


@router.get("/levies", response_model=list[LevyOut], summary="出资 (levies passed and billed)")
async def list_levies(session: Session, principal: CurrentPrincipal, compound_id: int) -> list[LevyOut]:
    require_reader(principal, await place_of(session, compound_id))
    return [LevyOut.model_validate(r) for r in await queries.levies_of(session, compound_id)]
