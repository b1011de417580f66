"""Routes of conventions (公约) and their clauses."""

from __future__ import annotations

from fastapi import status

from services.deliberation.access import require_reader
from services.deliberation.conventions import schemas as s
from services.deliberation.conventions import service as c
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.http import Session, service_router

router = service_router("/api/v1/deliberation", tags=["公约 (conventions)"])


@router.post(
    "/conventions", status_code=status.HTTP_201_CREATED, response_model=s.ConventionOut, summary="建立公约 (create)"
)
async def create(body: s.ConventionIn, session: Session, principal: CurrentPrincipal) -> s.ConventionOut:
    return await c.show(session, await c.create(session, body, principal))


@router.get(
    "/compounds/{compound_id}/conventions", response_model=list[s.ConventionOut], summary="小区各级公约 (all levels)"
)
async def of_compound(compound_id: int, session: Session, principal: CurrentPrincipal) -> list[s.ConventionOut]:
    await require_reader(session, principal, compound_id)
    return await c.of_compound(session, compound_id)


@router.get(
    "/conventions/{convention_id}", response_model=s.ConventionOut, summary="公约及条款（history=true 含历次修订）"
)
async def one(
    convention_id: int, session: Session, principal: CurrentPrincipal, history: bool = False
) -> s.ConventionOut:
    convention = await c.get(session, convention_id)
    await require_reader(session, principal, convention.compound_id)
    return await c.show(session, convention, history)


@router.post(
    "/conventions/{convention_id}/clauses",
    status_code=status.HTTP_201_CREATED,
    response_model=s.ConventionOut,
    summary="决定纳入公约：新增条款或修订条款 (codify a decision)",
)
async def clause(
    convention_id: int, body: s.ClauseIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.ConventionOut:
    await c.adopt_clause(session, convention_id, body, principal, now)
    return await c.show(session, await c.get(session, convention_id))
