"""Statistics routes: JSON and the same figures as an .xlsx workbook."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import Query, Response

from services.dispatch.stats import schemas as s
from services.dispatch.stats import service as st
from shared.auth import CurrentPrincipal
from shared.clock import Today
from shared.http import Session, service_router
from shared.spreadsheets import XLSX_RESPONSES, xlsx_response

router = service_router("/api/v1/dispatch", tags=["stats 统计"])


def _period(today: date, date_from: date | None, date_to: date | None) -> tuple[date, date]:
    end = date_to or today
    return date_from or end - timedelta(days=29), end


@router.get(
    "/stats", response_model=s.StatsOut, summary="派单统计（默认近 30 天）(statistics, last 30 days by default)"
)
async def stats(
    today: Today,
    session: Session,
    principal: CurrentPrincipal,
    level: s.Level,
    place_id: Annotated[int, Query(gt=0)],
    date_from: date | None = None,
    date_to: date | None = None,
) -> s.StatsOut:
    start, end = _period(today, date_from, date_to)
    return await st.stats(session, principal, level, place_id, start, end)


@router.get(
    "/stats.xlsx", summary="派单统计导出 Excel (statistics as .xlsx)", response_class=Response, responses=XLSX_RESPONSES
)
async def stats_xlsx(
    today: Today,
    session: Session,
    principal: CurrentPrincipal,
    level: s.Level,
    place_id: Annotated[int, Query(gt=0)],
    date_from: date | None = None,
    date_to: date | None = None,
) -> Response:
    start, end = _period(today, date_from, date_to)
    out = await st.stats(session, principal, level, place_id, start, end)
    name = f"dispatch-stats-{level}-{place_id}-{start}-{end}.xlsx"
    return xlsx_response(st.to_xlsx(out), name)
