"""Care-zone routes (一户一区): zones per building, who keeps them, inspections with photos."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import File, Form, Query, Request, Response, UploadFile
from openpyxl import Workbook  # type: ignore[import-untyped]

from services.dispatch.care_zones import allotting, inspecting, reading
from services.dispatch.care_zones import schemas as s
from services.dispatch.care_zones.access import may_see_inspection, zone_of
from services.dispatch.care_zones.domain import InspectionResult
from services.dispatch.care_zones.models import ZoneInspection
from services.dispatch.credit.access import require_compound_staff, require_household_reader
from services.dispatch.orders.photos import store_of
from services.dispatch.points.service import require_compound_reader
from shared.auth import CurrentPrincipal
from shared.clock import Now, month_of
from shared.error_codes import ErrorCode
from shared.errors import NotFound
from shared.http import Session, service_router
from shared.openapi import errors
from shared.pagination import DEFAULT_LIMIT, MAX_LIMIT, Cursor, Limit
from shared.spreadsheets import XLSX_RESPONSES, xlsx_response
from shared.storage import check_image

router = service_router("/api/v1/dispatch", tags=["care zones 一户一区"])
Period = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])]


@router.get("/care-zones", response_model=s.ZonePage, summary="责任区 (a compound's care zones, by id)")
async def zones(
    session: Session,
    principal: CurrentPrincipal,
    compound_id: Annotated[int, Query(gt=0)],
    building_id: Annotated[int | None, Query(gt=0)] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> s.ZonePage:
    await require_compound_reader(session, principal, compound_id)
    return await reading.zone_page(session, compound_id, building_id, cursor, limit)


@router.post(
    "/care-zones",
    status_code=201,
    response_model=s.ZoneOut,
    summary="划分责任区 (add a zone to a building; the compound's staff)",
    openapi_extra=errors(ErrorCode.household_has_zone, ErrorCode.duplicate),
)
async def create(body: s.ZoneCreate, now: Now, session: Session, principal: CurrentPrincipal) -> s.ZoneOut:
    return await allotting.create(session, principal, body, now)


@router.post(
    "/care-zones/{zone_id}/assign",
    response_model=s.ZoneOut,
    summary="分配责任区 (give the zone to a household, one household one zone)",
    openapi_extra=errors(ErrorCode.household_has_zone),
)
async def assign(zone_id: int, body: s.ZoneAssign, session: Session, principal: CurrentPrincipal) -> s.ZoneOut:
    return await allotting.assign(session, principal, zone_id, body)


@router.post(
    "/care-zones/{zone_id}/inspections",
    status_code=201,
    response_model=s.InspectionOut,
    summary="检查责任区 (the building head's result with up to 3 photos; scores the household)",
    openapi_extra=errors(ErrorCode.too_many_photos, ErrorCode.unsupported_image),
)
async def inspect(
    zone_id: int,
    request: Request,
    now: Now,
    session: Session,
    principal: CurrentPrincipal,
    result: Annotated[InspectionResult, Form(description="passed 合格 / failed 不合格")],
    note: Annotated[str, Form(max_length=500, description="what was seen")],
    photos: Annotated[list[UploadFile] | None, File(description="JPEG, PNG or WebP, ≤5 MB each")] = None,
) -> s.InspectionOut:
    return await inspecting.inspect(
        session, store_of(request), principal, zone_id, result, note, list(photos or []), now
    )


@router.get(
    "/care-zones/households/{household_id}",
    response_model=s.MyZone,
    summary="我的责任区 (a household's zone and its inspections)",
)
async def household_zone(household_id: int, session: Session, principal: CurrentPrincipal) -> s.MyZone:
    await require_household_reader(session, principal, household_id)
    return await reading.my_zone(session, household_id)


@router.get(
    "/care-zones/inspections",
    response_model=s.InspectionPage,
    summary="责任区检查记录 (a compound's inspections, newest first; its staff)",
)
async def inspections(
    session: Session,
    principal: CurrentPrincipal,
    compound_id: Annotated[int, Query(gt=0)],
    period: Period = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> s.InspectionPage:
    await require_compound_staff(session, principal, compound_id)
    return await reading.inspection_page(
        session, compound_id=compound_id, household_id=None, period=period, cursor=cursor, limit=limit
    )


@router.get(
    "/care-zones/inspections.xlsx",
    response_class=Response,
    responses=XLSX_RESPONSES,
    summary="责任区检查台账导出 Excel (a month's inspections as .xlsx; the compound's staff)",
)
async def inspections_xlsx(
    now: Now,
    session: Session,
    principal: CurrentPrincipal,
    compound_id: Annotated[int, Query(gt=0)],
    period: Period = None,
) -> Response:
    await require_compound_staff(session, principal, compound_id)
    month = period or month_of(now)
    page = await reading.inspection_page(
        session, compound_id=compound_id, household_id=None, period=month, cursor=None, limit=MAX_LIMIT
    )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "责任区检查台账"
    sheet.append(["编号", "时间", "责任区", "住户", "结果", "积分", "说明", "照片数", "检查人"])
    for i in sorted(page.items, key=lambda i: i.id):
        sheet.append(
            [
                i.id,
                i.at.strftime("%Y-%m-%d %H:%M UTC"),
                i.zone_name,
                i.household_label,
                i.result_label,
                i.points,
                i.note,
                len(i.photos),
                i.inspector_person_id,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    name = f"care-zone-inspections-{compound_id}-{month}.xlsx"
    return xlsx_response(buffer.getvalue(), name)


@router.get(
    "/care-zones/inspections/{inspection_id}/photos/{name}",
    response_class=Response,
    summary="检查照片 (the household, the building head and the staff only)",
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
async def photo(
    inspection_id: int, name: str, request: Request, session: Session, principal: CurrentPrincipal
) -> Response:
    inspection = await session.get(ZoneInspection, inspection_id)
    missing = NotFound("照片不存在", "Photo not found", details={"name": name[:100]})
    if inspection is None:
        raise missing
    zone = await zone_of(session, inspection.zone_id)
    if not await may_see_inspection(session, principal, zone, inspection.household_id):
        raise missing
    key = f"care-zones/{inspection.id}/{name}"
    if key not in inspection.photos:
        raise missing
    data = await store_of(request).get(key)
    content_type, _ = check_image(data)
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, max-age=3600"})
