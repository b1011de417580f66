"""Photos on an order (附件): the resident's of the problem, the party member's of the work done.
Up to five per order, JPEG/PNG/WebP by their bytes, at most 5 MB each (the app compresses
before upload), kept through the one storage interface (shared/storage.py). Adding one: the
requester's side while the order is open, the assignee while working it, or the area's staff;
reading one: whoever may see the order, nobody else (a stranger gets 404)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import File, Request, Response, UploadFile, status
from pydantic import BaseModel

from services.dispatch.orders import access, reading
from services.dispatch.orders.domain import FINAL, OrderState
from services.dispatch.orders.models import Order
from shared.auth import CurrentPrincipal, Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden, NotFound
from shared.http import Session, service_router
from shared.storage import MAX_IMAGE_BYTES, ObjectStore, check_image, store_from_settings

router = service_router("/api/v1/dispatch", tags=["orders 工单"])
MAX_PHOTOS = 5


class PhotoOut(BaseModel):
    name: str
    content_type: str
    bytes: int
    photos: list[str]
    version: int


def store_of(request: Request) -> ObjectStore:
    store: ObjectStore | None = getattr(request.app.state, "dispatch_files", None)
    if store is None:
        store = store_from_settings(request.app.state.runtime.settings)
        request.app.state.dispatch_files = store
    return store


def _may_add(principal: Principal, order: Order) -> None:
    if access.is_area_staff(principal, order) or access.is_assignee(principal, order):
        return
    if access.is_requester_side(principal, order):
        return
    raise Forbidden(
        "只有点单居民、接单人或本网格网格员可以上传照片", "Only the requester, assignee or grid staff add photos"
    )


@router.post(
    "/orders/{order_id}/photos",
    status_code=status.HTTP_201_CREATED,
    response_model=PhotoOut,
    summary="上传工单照片（最多 5 张，JPEG/PNG/WebP，每张 ≤5MB）(add a photo)",
)
async def add_photo(
    order_id: str,
    request: Request,
    session: Session,
    principal: CurrentPrincipal,
    file: Annotated[UploadFile, File(description="照片 (JPEG, PNG or WebP)")],
) -> PhotoOut:
    order = await reading.get_order(session, order_id)
    await access.require_view(session, principal, order)
    _may_add(principal, order)
    if OrderState(order.state) in FINAL:
        raise Conflict(
            f"工单已「{OrderState(order.state).label}」，不能再上传照片",
            f"Order is {order.state}: no more photos",
            code=ErrorCode.order_final,
        )
    if len(order.photos or []) >= MAX_PHOTOS:
        raise Conflict(
            f"每个工单最多 {MAX_PHOTOS} 张照片",
            f"At most {MAX_PHOTOS} photos per order",
            code=ErrorCode.too_many_photos,
        )
    data = await file.read(MAX_IMAGE_BYTES + 1)
    content_type, ext = check_image(data)
    name = f"{secrets.token_hex(8)}.{ext}"
    key = f"orders/{order.id}/{name}"
    await store_of(request).put(key, data, content_type)
    order.photos = [*(order.photos or []), key]
    await session.flush()
    return PhotoOut(name=name, content_type=content_type, bytes=len(data), photos=order.photos, version=order.version)


@router.get(
    "/orders/{order_id}/photos/{name}",
    response_class=Response,
    summary="工单照片（能看工单的人才能看）(a photo of the order)",
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
async def get_photo(
    order_id: str, name: str, request: Request, session: Session, principal: CurrentPrincipal
) -> Response:
    order = await reading.get_order(session, order_id)
    await access.require_view(session, principal, order)
    key = f"orders/{order.id}/{name}"
    if key not in (order.photos or []):
        raise NotFound("照片不存在", "Photo not found", details={"name": name[:100]})
    data = await store_of(request).get(key)
    content_type, _ = check_image(data)
    # Private: the photo is the household's; no shared cache may keep it.
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, max-age=3600"})
