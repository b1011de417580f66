"""Registry HTTP routes: translate requests into use cases, nothing more."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from services.registry import service
from services.registry.domain import CompoundKind, ManagementModel
from services.registry.schemas import CompoundCreate, CompoundOut, CompoundUpdate, EnumValue
from shared.auth import CurrentPrincipal, Role, require_any
from shared.http import Session, service_router

router = service_router("/api/v1/registry", tags=["registry"])


@router.post(
    "/compounds",
    status_code=status.HTTP_201_CREATED,
    response_model=CompoundOut,
    summary="登记小区 (create a compound)",
)
async def create_compound(body: CompoundCreate, session: Session, principal: CurrentPrincipal) -> CompoundOut:
    require_any(principal, (Role.street_admin, None, None), (Role.community_admin, "community", body.community_id))
    return service.compound_out(await service.create_compound(session, body))


@router.get("/compounds", response_model=list[CompoundOut], summary="小区列表 (list compounds)")
async def list_compounds(
    session: Session,
    _: CurrentPrincipal,
    community_id: Annotated[int | None, Query(gt=0)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[CompoundOut]:
    return [service.compound_out(c) for c in await service.list_compounds(session, community_id, limit, offset)]


@router.get("/compounds/{compound_id}", response_model=CompoundOut, summary="小区详情 (one compound)")
async def get_compound(compound_id: int, session: Session, _: CurrentPrincipal) -> CompoundOut:
    return service.compound_out(await service.get_compound(session, compound_id))


@router.patch("/compounds/{compound_id}", response_model=CompoundOut, summary="修改小区 (update a compound)")
async def update_compound(
    compound_id: int, body: CompoundUpdate, session: Session, principal: CurrentPrincipal
) -> CompoundOut:
    current = await service.get_compound(session, compound_id)
    require_any(principal, (Role.street_admin, None, None), (Role.community_admin, "community", current.community_id))
    return service.compound_out(await service.update_compound(session, compound_id, body))


@router.get("/enums", response_model=dict[str, list[EnumValue]], summary="枚举及中文标签 (enum labels)")
async def enums() -> dict[str, list[EnumValue]]:
    return {
        "compound_kind": [EnumValue(value=k.value, label=k.label) for k in CompoundKind],
        "management_model": [EnumValue(value=m.value, label=m.label) for m in ManagementModel],
    }
