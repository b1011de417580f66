"""Routes of the registry's accounts: login, accounts, admin grants, and the caller (/me)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, status
from fastapi.responses import JSONResponse

from services.registry.accounts import schemas as s
from services.registry.accounts import service as a
from services.registry.accounts.home import my_home
from services.registry.people.api import Vault
from services.registry.scope import CallerReach
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.error_handlers import error_response
from shared.http import Session, client_address, service_router
from shared.settings import Settings

router = service_router("/api/v1/registry", tags=["registry"])
# Answers that carry tokens are never stored under an Idempotency-Key nor cached.
auth_router = service_router("/api/v1/registry", tags=["registry"], credentials=True)

TAG = "账户与登录 (accounts and login)"


def _client_address(request: Request) -> str:
    settings: Settings = request.app.state.runtime.settings
    return client_address(request, settings.trusted_proxy_networks())


def _throttled(error: a.LoginThrottled) -> JSONResponse:
    return error_response(
        error.status_code,
        error.code,
        error.message,
        error.message_en,
        error.details,
        headers={"Retry-After": str(error.retry_after)},
    )


@auth_router.post(
    "/auth/token",
    response_model=s.TokenOut,
    summary="手机号 + 密码登录，角色由登记数据推出 (log in; roles derived from registry data)",
    description=(
        "Answers a 15-minute access token and a single-use refresh token (POST /auth/refresh). "
        "401 invalid_credentials for an unknown mobile and a wrong password alike. After 5 failures "
        "in a row for one mobile number (whether it has an account or not), or 20 from one client "
        "address, each further attempt waits a doubling delay (2 s, 4 s, ... up to 15 min): 429 "
        "login_throttled with Retry-After. Nobody is locked out. An Idempotency-Key is ignored."
    ),
    tags=[TAG],
)
async def issue_token(
    body: s.TokenRequest, request: Request, session: Session, vault: Vault
) -> s.TokenOut | JSONResponse:
    runtime = request.app.state.runtime
    try:
        return await a.login(session, runtime, vault, request.app.state.tokens, body, _client_address(request))
    except a.LoginThrottled as throttled:
        return _throttled(throttled)


@auth_router.post(
    "/auth/refresh",
    response_model=s.TokenOut,
    summary="用刷新令牌换一对新令牌 (rotate: a new access token and a new refresh token)",
    description=(
        "The refresh token presented is used up. Presenting one that was already used revokes its "
        "whole session (someone copied it). 401 refresh_invalid when the session has ended: logout, "
        "password change, the person removed, or a role lost since login (log in again)."
    ),
    tags=[TAG],
)
async def refresh_token(body: s.RefreshRequest, request: Request, session: Session) -> s.TokenOut:
    return await a.refresh(session, request.app.state.runtime, request.app.state.tokens, body)


@auth_router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="退出登录：结束该刷新令牌所属的会话 (log out: end the refresh token's session)",
    description="204 whether or not the token was live; the access token runs out within 15 minutes.",
    tags=[TAG],
)
async def logout(body: s.RefreshRequest, request: Request, session: Session) -> None:
    await a.logout(session, request.app.state.runtime, body)


@auth_router.post(
    "/auth/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="修改本人密码，所有会话随之结束 (change your password; every session of yours ends)",
    description=(
        "403 wrong_password when current_password is wrong; 422 when new_password breaks the policy: "
        "password_too_short (under 10 characters), password_too_common, password_is_mobile, password_unchanged."
    ),
    tags=[TAG],
)
async def change_password(
    body: s.PasswordChange, request: Request, session: Session, principal: CurrentPrincipal, vault: Vault
) -> None:
    await a.change_password(session, request.app.state.runtime, vault, principal, body)


@router.post(
    "/accounts",
    status_code=status.HTTP_201_CREATED,
    response_model=s.AccountOut,
    summary="为人员开通账户 (create a login account for a person)",
    tags=[TAG],
)
async def create_account(
    body: s.AccountCreate, request: Request, session: Session, principal: CurrentPrincipal, vault: Vault
) -> s.AccountOut:
    return await a.create_account(session, request.app.state.runtime.settings, vault, principal, body)


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
async def remove_admin_grant(grant_id: int, now: Now, session: Session, principal: CurrentPrincipal) -> None:
    await a.remove_admin_grant(session, principal, grant_id, now)


@router.get("/me", response_model=s.MeOut, summary="当前登录人及其角色 (the caller and their roles)", tags=[TAG])
async def me(session: Session, principal: CurrentPrincipal, vault: Vault) -> s.MeOut:
    return await a.me(session, vault, principal)


@router.get(
    "/me/home",
    response_model=s.HomeOut,
    summary="我的家：住房、住户、网格员、楼栋长、结对党员与热线 (the caller's own home and contacts, 连心卡)",
    tags=[TAG],
)
async def me_home(session: Session, principal: CurrentPrincipal, vault: Vault) -> s.HomeOut:
    """Any logged-in person, for themselves only: there is no parameter naming anyone else."""
    return await my_home(session, vault, principal)
