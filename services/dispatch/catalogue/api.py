"""Catalogue routes: anyone signed in reads it; street admins change it."""

from __future__ import annotations

from fastapi import status

from services.dispatch.catalogue import schemas as s
from services.dispatch.catalogue import service as c
from shared.auth import CurrentPrincipal
from shared.http import Session, service_router

router = service_router("/api/v1/dispatch", tags=["categories 服务目录"])


@router.get("/categories", response_model=list[s.CategoryOut], summary="服务类别目录 (the category catalogue)")
async def list_categories(session: Session, _: CurrentPrincipal, include_inactive: bool = False) -> list[s.CategoryOut]:
    return await c.list_categories(session, include_inactive)


@router.post(
    "/categories",
    status_code=status.HTTP_201_CREATED,
    response_model=s.CategoryOut,
    summary="新增类别 (add a category)",
)
async def create_category(body: s.CategoryCreate, session: Session, principal: CurrentPrincipal) -> s.CategoryOut:
    return await c.create_category(session, body, principal)


@router.put("/categories/{code}", response_model=s.CategoryOut, summary="修改类别 (change a category)")
async def update_category(
    code: str, body: s.CategoryUpdate, session: Session, principal: CurrentPrincipal
) -> s.CategoryOut:
    return await c.update_category(session, code, body, principal)
