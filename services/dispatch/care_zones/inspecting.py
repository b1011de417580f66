"""An inspection of a care zone: the building head (or staff) looks, takes photos and gives a
result; the result is the keeping household's points entry in the same transaction, so the
environmental red and black list follows the inspections."""

from __future__ import annotations

import secrets
from datetime import datetime

from fastapi import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.care_zones import reading
from services.dispatch.care_zones import schemas as s
from services.dispatch.care_zones.access import require_inspector, zone_of
from services.dispatch.care_zones.domain import MAX_PHOTOS, POINTS_REASON, InspectionResult
from services.dispatch.care_zones.models import ZoneInspection
from services.dispatch.credit.recording import add_entry
from shared import screening
from shared.auth import Principal
from shared.clock import month_of
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput
from shared.storage import MAX_IMAGE_BYTES, ObjectStore, check_image


async def inspect(
    session: AsyncSession,
    store: ObjectStore,
    principal: Principal,
    zone_id: int,
    result: InspectionResult,
    note: str,
    photos: list[UploadFile],
    now: datetime,
) -> s.InspectionOut:
    zone = await zone_of(session, zone_id)
    await require_inspector(session, principal, zone)
    screening.check_text("note", note)
    if not note.strip() or len(note) > 500:
        raise InvalidInput("请填写检查说明（1–500 字）", "Give a note of 1–500 characters", details=[{"field": "note"}])
    if zone.household_id is None:
        raise Conflict(
            f"责任区「{zone.name}」尚未分配给住户，检查结果无人计分",
            "The zone has no household to score",
            code=ErrorCode.conflict,
        )
    if len(photos) > MAX_PHOTOS:
        raise Conflict(
            f"每次检查最多 {MAX_PHOTOS} 张照片", f"At most {MAX_PHOTOS} photos", code=ErrorCode.too_many_photos
        )
    files = []
    for photo in photos:
        data = await photo.read(MAX_IMAGE_BYTES + 1)
        content_type, ext = check_image(data)
        files.append((data, content_type, ext))
    inspection = ZoneInspection(
        zone_id=zone.id,
        compound_id=zone.compound_id,
        household_id=zone.household_id,
        period=month_of(now),
        result=result.value,
        note=note,
        photos=[],
        inspector_person_id=principal.person_id,
        at=now,
    )
    session.add(inspection)
    await session.flush()
    keys = []
    for data, content_type, ext in files:
        key = f"care-zones/{inspection.id}/{secrets.token_hex(8)}.{ext}"
        await store.put(key, data, content_type)
        keys.append(key)
    inspection.photos = keys
    entry = await add_entry(
        session,
        household_id=zone.household_id,
        reason=POINTS_REASON[result],
        note=f"责任区「{zone.name}」检查{result.label}：{note}",
        by_person_id=principal.person_id,
        now=now,
        source=f"inspection:{inspection.id}",
    )
    inspection.credit_entry_id = entry.id if entry is not None else None
    await session.flush()
    return (await reading.inspections_out(session, [inspection]))[0]
