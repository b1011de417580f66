"""Routes of the registry's people: residents (by hand, for their personal data), grid workers,
heads, and resident units (through the generic resource routes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request, status

from services.registry.entities import get_or_404
from services.registry.people import (
    access_log,
    grid_workers,
    heads,
    kinds,
    personal_data,
    resident_units,
    residents,
    search,
)
from services.registry.people import schemas as s
from services.registry.people.domain import HeadKind
from services.registry.people.pii import PiiVault
from services.registry.resources import Resource, mount
from services.registry.scope import CallerReach
from shared.auth import CurrentPrincipal
from shared.http import Session, service_router
from shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = service_router("/api/v1/registry", tags=["registry"])

RESIDENTS_TAG = "居民 (residents)"
WORKERS_TAG = "网格员 (grid workers)"
HEADS_TAG = "楼栋长 / 单元长 / 院落长 (heads)"


def pii_vault(request: Request) -> PiiVault:
    """The service's vault, built once from the app's settings."""
    vault: PiiVault | None = getattr(request.app.state, "pii_vault", None)
    if vault is None:
        vault = PiiVault(request.app.state.settings)
        request.app.state.pii_vault = vault
    return vault


Vault = Annotated[PiiVault, Depends(pii_vault)]
Offset = Annotated[int, Query(ge=0)]
Version = Annotated[int, Query(description="你看到的版本号 (the version you read)")]
OptionalId = Annotated[int | None, Query(gt=0)]


# --- residents -----------------------------------------------------------------------------


@router.post(
    "/residents",
    status_code=status.HTTP_201_CREATED,
    response_model=s.ResidentOut,
    summary="登记居民 (register a resident)",
    tags=[RESIDENTS_TAG],
)
async def create_resident(
    body: s.ResidentCreate, session: Session, principal: CurrentPrincipal, vault: Vault
) -> s.ResidentOut:
    return residents.show_resident(vault, await residents.create_resident(session, vault, principal, body))


@router.get(
    "/residents",
    response_model=list[s.ResidentOut],
    summary="居民列表；可按身份证号或手机号精确查找 (list residents; exact search by ID card or mobile)",
    tags=[RESIDENTS_TAG],
)
async def list_residents(
    session: Session,
    principal: CurrentPrincipal,
    vault: Vault,
    household_id: OptionalId = None,
    compound_id: OptionalId = None,
    id_card: Annotated[str | None, Query(max_length=40, description="完整身份证号，精确匹配")] = None,
    mobile: Annotated[str | None, Query(max_length=40, description="完整手机号，精确匹配")] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> list[s.ResidentOut]:
    people = await residents.list_residents(
        session,
        vault,
        principal,
        household_id=household_id,
        compound_id=compound_id,
        id_card=id_card,
        mobile=mobile,
        limit=limit,
        offset=offset,
    )
    return [residents.show_resident(vault, person) for person in people]


@router.get(
    "/residents/search",
    response_model=s.ResidentMatchPage,
    summary="按姓名查找本网格居民，姓名和手机号脱敏 (find a grid's residents by name, masked)",
    tags=[RESIDENTS_TAG],
)
async def search_residents(
    session: Session,
    principal: CurrentPrincipal,
    vault: Vault,
    grid_id: Annotated[int, Query(gt=0, description="网格 (the grid searched)")],
    name: Annotated[str, Query(min_length=1, max_length=50, description="姓名或其中几个字")],
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> s.ResidentMatchPage:
    return await search.search_residents(
        session, vault, principal, grid_id=grid_id, name=name, cursor=cursor, limit=limit
    )


@router.get(
    "/residents/{person_id}",
    response_model=s.ResidentOut,
    summary="居民详情，个人信息已脱敏 (one resident, personal data masked)",
    tags=[RESIDENTS_TAG],
)
async def get_resident(person_id: int, session: Session, principal: CurrentPrincipal, vault: Vault) -> s.ResidentOut:
    return residents.show_resident(vault, await residents.get_resident(session, principal, person_id))


@router.patch(
    "/residents/{person_id}",
    response_model=s.ResidentOut,
    summary="修改居民 (update a resident)",
    tags=[RESIDENTS_TAG],
)
async def update_resident(
    person_id: int, body: s.ResidentUpdate, session: Session, principal: CurrentPrincipal, vault: Vault
) -> s.ResidentOut:
    person = await get_or_404(session, kinds.RESIDENT, person_id)
    return residents.show_resident(vault, await residents.update_resident(session, vault, principal, person, body))


@router.delete(
    "/residents/{person_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="注销居民：匿名化，保留记录与编号 (remove a resident: anonymise, keep the row and its id)",
    tags=[RESIDENTS_TAG],
)
async def remove_resident(person_id: int, session: Session, principal: CurrentPrincipal, version: Version) -> None:
    person = await get_or_404(session, kinds.RESIDENT, person_id)
    await residents.remove_resident(session, principal, person, version)


@router.get(
    "/residents/{person_id}/personal-data",
    response_model=s.PersonalDataOut,
    summary="完整身份证号和手机号，须写明用途并记录 (full personal data: purpose required, read logged)",
    tags=[RESIDENTS_TAG],
)
async def read_personal_data(
    person_id: int,
    session: Session,
    principal: CurrentPrincipal,
    vault: Vault,
    purpose: Annotated[str, Query(min_length=2, max_length=200, description="用途，如“入户走访核对”")],
) -> s.PersonalDataOut:
    return await personal_data.read_personal_data(session, vault, principal, person_id, purpose)


@router.get(
    "/residents/{person_id}/personal-data-access",
    response_model=s.PersonalDataAccessPage,
    summary="个人信息查阅记录：谁、以何身份、为何查看过完整信息 (who read the person's full data, newest first)",
    tags=[RESIDENTS_TAG],
)
async def read_personal_data_access(
    person_id: int, session: Session, principal: CurrentPrincipal, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> s.PersonalDataAccessPage:
    return await access_log.access_log(session, principal, person_id, cursor, limit)


@router.get(
    "/personal-data-access",
    response_model=s.PersonalDataAccessPage,
    summary="小区居民个人信息查阅记录（小区所在社区、街道管理员） (every full read of a compound's residents' data)",
    tags=[RESIDENTS_TAG],
)
async def read_compound_personal_data_access(
    compound_id: Annotated[int, Query(gt=0, description="小区 id (compound id)")],
    session: Session,
    principal: CurrentPrincipal,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> s.PersonalDataAccessPage:
    return await access_log.compound_access_log(session, principal, compound_id, cursor, limit)


# --- grid workers --------------------------------------------------------------------------


@router.post(
    "/grid-workers",
    status_code=status.HTTP_201_CREATED,
    response_model=s.GridWorkerOut,
    summary="新建网格员 (create a grid worker)",
    tags=[WORKERS_TAG],
)
async def create_grid_worker(
    body: s.GridWorkerCreate, session: Session, principal: CurrentPrincipal
) -> s.GridWorkerOut:
    return await grid_workers.create_grid_worker(session, principal, body)


@router.get(
    "/grid-workers", response_model=list[s.GridWorkerOut], summary="网格员列表 (list grid workers)", tags=[WORKERS_TAG]
)
async def list_grid_workers(
    session: Session,
    reach: CallerReach,
    grid_id: OptionalId = None,
    person_id: OptionalId = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> list[s.GridWorkerOut]:
    return await grid_workers.list_grid_workers(
        session, reach, grid_id=grid_id, person_id=person_id, limit=limit, offset=offset
    )


@router.get(
    "/grid-workers/{worker_id}",
    response_model=s.GridWorkerOut,
    summary="网格员详情 (one grid worker)",
    tags=[WORKERS_TAG],
)
async def get_grid_worker(worker_id: int, session: Session, reach: CallerReach) -> s.GridWorkerOut:
    return await grid_workers.get_grid_worker(session, reach, worker_id)


@router.patch(
    "/grid-workers/{worker_id}",
    response_model=s.GridWorkerOut,
    summary="修改网格员 (update a grid worker)",
    tags=[WORKERS_TAG],
)
async def update_grid_worker(
    worker_id: int, body: s.GridWorkerUpdate, session: Session, principal: CurrentPrincipal
) -> s.GridWorkerOut:
    return await grid_workers.update_grid_worker(session, principal, worker_id, body)


@router.delete(
    "/grid-workers/{worker_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="删除网格员 (remove a grid worker)",
    tags=[WORKERS_TAG],
)
async def remove_grid_worker(worker_id: int, session: Session, principal: CurrentPrincipal, version: Version) -> None:
    await grid_workers.remove_grid_worker(session, principal, worker_id, version)


# --- heads ---------------------------------------------------------------------------------


@router.post(
    "/heads",
    status_code=status.HTTP_201_CREATED,
    response_model=s.HeadOut,
    summary="设立楼栋长 / 单元长 / 院落长 (appoint a head)",
    tags=[HEADS_TAG],
)
async def create_head(body: s.HeadCreate, session: Session, principal: CurrentPrincipal) -> s.HeadOut:
    return await heads.create_head(session, principal, body)


@router.get("/heads", response_model=list[s.HeadOut], summary="负责人列表 (list heads)", tags=[HEADS_TAG])
async def list_heads(
    session: Session,
    reach: CallerReach,
    compound_id: OptionalId = None,
    kind: HeadKind | None = None,
    person_id: OptionalId = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> list[s.HeadOut]:
    return await heads.list_heads(
        session, reach, compound_id=compound_id, kind=kind, person_id=person_id, limit=limit, offset=offset
    )


@router.get("/heads/{head_id}", response_model=s.HeadOut, summary="负责人详情 (one head)", tags=[HEADS_TAG])
async def get_head(head_id: int, session: Session, reach: CallerReach) -> s.HeadOut:
    return await heads.get_head(session, reach, head_id)


@router.patch(
    "/heads/{head_id}", response_model=s.HeadOut, summary="更换负责人 (change who heads it)", tags=[HEADS_TAG]
)
async def update_head(head_id: int, body: s.HeadUpdate, session: Session, principal: CurrentPrincipal) -> s.HeadOut:
    return await heads.update_head(session, principal, head_id, body)


@router.delete(
    "/heads/{head_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="撤销负责人 (remove a head)",
    tags=[HEADS_TAG],
)
async def remove_head(head_id: int, session: Session, principal: CurrentPrincipal, version: Version) -> None:
    await heads.remove_head(session, principal, head_id, version)


# --- resident units ------------------------------------------------------------------------

mount(
    router,
    Resource(
        "/resident-units",
        kinds.RESIDENT_UNIT,
        s.ResidentUnitCreate,
        s.ResidentUnitUpdate,
        s.ResidentUnitOut,
        s.ResidentUnitOut.model_validate,
        resident_units.build_resident_unit,
        resident_units.area_of_resident_unit,
        resident_units.check_resident_unit_change,
        resident_units.duplicate_resident_unit,
        filters=("community_id",),
        readable=resident_units.resident_unit_readable,
    ),
)
