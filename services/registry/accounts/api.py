"""Routes of the registry's accounts: login, accounts, admin grants, and the caller (/me)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, status
from fastapi.responses import JSONResponse

from services.registry.accounts import schemas as s
from services.registry.accounts import service as a
from services.registry.people.api import Vault
from services.registry.scope import CallerReach
from shared.auth import CurrentPrincipal
from shared.error_handlers import error_response
from shared.http import Session, service_router

router = service_router("/api/v1/registry", tags=["registry"])

TAG = "账户与登录 (accounts and login)"


@router.post(
    "/auth/token",
    response_model=s.TokenOut,
    summary="手机号 + 密码登录，角色由登记数据推出 (log in; roles derived from registry data)",
    description=(
        "401 invalid_credentials for an unknown mobile and a wrong password alike. After 5 consecutive "
        "failures the account is locked for 15 minutes: 423 account_locked (账户已锁定) with Retry-After."
    ),
    tags=[TAG],
)
async def issue_token(
    body: s.TokenRequest, request: Request, session: Session, vault: Vault
) -> s.TokenOut | JSONResponse:
    try:
        return await a.login(session, request.app.state.runtime.db.sessionmaker, vault, request.app.state.tokens, body)
    except a.AccountLocked as locked:
        return error_response(
            locked.status_code,
            locked.code,
            locked.message,
            locked.message_en,
            locked.details,
            headers={"Retry-After": str(locked.retry_after)},
        )


@router.post(
    "/accounts",
    status_code=status.HTTP_201_CREATED,
    response_model=s.AccountOut,
    summary="为人员开通账户 (create a login account for a person)",
    tags=[TAG],
)
async def create_account(
    body: s.AccountCreate, session: Session, principal: CurrentPrincipal, vault: Vault
) -> s.AccountOut:
    return await a.create_account(session, vault, principal, body)


@router.post(
    "/admin-grants",
    status_code=status.HTTP_201_CREATED,
    response_model=s.AdminGrantOut,
    summary="授予管理角色 (grant street_admin / community_admin / property_staff / ops)",
    tags=[TAG],
)
async def create_admin_grant(
    body: s.AdminGrantCreate, session: Session, principal: CurrentPrincipal
) -> s.AdminGrantOut:
    return await a.create_admin_grant(session, principal, body)


@router.get(
    "/admin-grants", response_model=list[s.AdminGrantOut], summary="管理角色授权列表 (list admin grants)", tags=[TAG]
)
async def list_admin_grants(
    session: Session,
    principal: CurrentPrincipal,
    reach: CallerReach,
    person_id: Annotated[int | None, Query(gt=0)] = None,
) -> list[s.AdminGrantOut]:
    return await a.list_admin_grants(session, principal, reach, person_id)


@router.delete(
    "/admin-grants/{grant_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="撤销管理角色 (revoke an admin grant)",
    tags=[TAG],
)
async def remove_admin_grant(grant_id: int, session: Session, principal: CurrentPrincipal) -> None:
    await a.remove_admin_grant(session, principal, grant_id)


@router.get("/me", response_model=s.MeOut, summary="当前登录人及其角色 (the caller and their roles)", tags=[TAG])
async def me(session: Session, principal: CurrentPrincipal, vault: Vault) -> s.MeOut:
    return await a.me(session, vault, principal)
