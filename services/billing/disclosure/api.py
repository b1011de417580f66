"""Routes: disclosures (publish, list, JSON / .xlsx / printable HTML, verify the chain)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import HTMLResponse, Response

from services.billing.access import place_of
from services.billing.disclosure import render, service
from services.billing.disclosure.schemas import DisclosureCreate, DisclosureOut, VerifyOut
from services.billing.projections.models import compound_projection, household_projection
from shared.auth import CurrentPrincipal, Principal
from shared.clock import Now
from shared.errors import NotFound
from shared.http import Session, service_router
from shared.projections import is_of_compound
from shared.spreadsheets import XLSX_RESPONSES, xlsx_response

router = service_router("/api/v1/billing", tags=["billing: disclosures"])


@router.post(
    "/disclosures", status_code=201, response_model=DisclosureOut, summary="发布公示 (publish a period's statement)"
)
async def publish_disclosure(
    body: DisclosureCreate, now: Now, session: Session, principal: CurrentPrincipal
) -> DisclosureOut:
    return await service.publish(session, principal, body, now)


# Disclosures are what goes on the compound's notice board: the people of the compound (its
# households, whoever holds a role there) and its staff read them; to anyone else the compound's
# notices do not exist (404).


async def _require_of_compound(session: Session, principal: Principal, compound_id: int) -> None:
    await place_of(session, compound_id)
    if not await is_of_compound(session, principal, compound_projection, household_projection, compound_id):
        raise NotFound(f"小区 {compound_id} 不存在", f"Compound {compound_id} not found")


async def _readable(session: Session, principal: Principal, disclosure_id: int) -> DisclosureOut:
    d = await service.show(session, disclosure_id)
    if not await is_of_compound(session, principal, compound_projection, household_projection, d.compound_id):
        raise NotFound(f"公示 {disclosure_id} 不存在", f"Disclosure {disclosure_id} not found")
    return d


@router.get("/disclosures", response_model=list[DisclosureOut], summary="公示列表 (a compound's disclosures)")
async def list_disclosures(session: Session, principal: CurrentPrincipal, compound_id: int) -> list[DisclosureOut]:
    await _require_of_compound(session, principal, compound_id)
    return await service.list_of(session, compound_id)


@router.get("/disclosures/verify", response_model=VerifyOut, summary="核验公示链 (recompute the hash chain)")
async def verify_disclosures(session: Session, principal: CurrentPrincipal, compound_id: int) -> VerifyOut:
    await _require_of_compound(session, principal, compound_id)
    return await service.verify(session, compound_id)


# Before the {disclosure_id} routes, which would take 'preview.html' for an id.
@router.get(
    "/disclosures/preview.html",
    summary="公示预览 (printable HTML of what publishing would store now; nothing is stored)",
    response_class=HTMLResponse,
)
async def preview_disclosure_html(
    body: Annotated[DisclosureCreate, Query()], now: Now, session: Session, principal: CurrentPrincipal
) -> HTMLResponse:
    d = await service.draft(session, principal, body, now)
    return HTMLResponse(render.to_html(d.content, d.seq, d.content_hash, d.prev_hash, preview=True))


@router.get(
    "/disclosures/{disclosure_id}.xlsx", summary="公示 (.xlsx)", response_class=Response, responses=XLSX_RESPONSES
)
async def get_disclosure_xlsx(disclosure_id: int, session: Session, principal: CurrentPrincipal) -> Response:
    d = await _readable(session, principal, disclosure_id)
    data = render.to_xlsx(d.content, d.seq, d.content_hash, d.prev_hash)
    name = f"disclosure-{d.compound_id}-{d.period_label}.xlsx"
    return xlsx_response(data, name)


@router.get("/disclosures/{disclosure_id}.html", summary="公示 (printable HTML)", response_class=HTMLResponse)
async def get_disclosure_html(disclosure_id: int, session: Session, principal: CurrentPrincipal) -> HTMLResponse:
    d = await _readable(session, principal, disclosure_id)
    return HTMLResponse(render.to_html(d.content, d.seq, d.content_hash, d.prev_hash))


# After the .xlsx and .html routes: {disclosure_id} alone would swallow '1.xlsx'.
@router.get("/disclosures/{disclosure_id}", response_model=DisclosureOut, summary="公示 (JSON)")
async def get_disclosure(disclosure_id: int, session: Session, principal: CurrentPrincipal) -> DisclosureOut:
    return await _readable(session, principal, disclosure_id)
