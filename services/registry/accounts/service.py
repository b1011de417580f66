"""Login and accounts: passwords hashed with argon2 under a password policy, a back-off after
repeated failures, sessions (sessions.py), and the token's scoped roles derived from registry
data at each login and refresh (plus the hand-made admin grants)."""

from __future__ import annotations

import asyncio
import functools
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.registry.accounts import schemas as s
from services.registry.accounts import sessions
from services.registry.accounts.domain import (
    COMMITTEE_ROLES,
    FREE_FAILURES_PER_ADDRESS,
    FREE_FAILURES_PER_MOBILE,
    GRANTABLE_SCOPES,
    Throttle,
    check_password,
)
from services.registry.accounts.models import Account, AdminGrant, LoginThrottle
from services.registry.committees.models import Membership
from services.registry.party.models import CheckIn, PartyMember
from services.registry.people.domain import mask_mobile, parse_mobile
from services.registry.people.models import GridAssignment, GridWorker, Head, Person
from services.registry.people.pii import PiiVault
from services.registry.people.residents import show_resident
from services.registry.people.staff import area_of_person, living_person
from services.registry.places.models import Community, Compound, Ownership, Street
from services.registry.scope import Area, Reach, community_area, compound_area, require_admin
from shared.auth import Grant, Principal, Role, TokenCodec, require_anywhere
from shared.clock import clock_of
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden, InvalidInput, LinliError, NotFound, Unauthorized
from shared.service_app import ServiceRuntime
from shared.settings import Settings

_VERIFIER = PasswordHasher()


class LoginThrottled(LinliError):
    """429: too many failed logins for this mobile number or from this address; Retry-After
    says when the next attempt is heard. Answered alike whether the mobile has an account."""

    status_code = 429
    code = ErrorCode.login_throttled

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"登录失败次数过多，请 {retry_after} 秒后再试",
            f"Too many failed logins; retry in {retry_after} s",
            details={"retry_after_seconds": retry_after},
        )
        self.retry_after = retry_after


@functools.cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hasher_of(settings: Settings) -> PasswordHasher:
    """argon2id at the cost the settings name (production refuses less than the strong default)."""
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)


def hash_password(hasher: PasswordHasher, password: str) -> str:
    """An argon2id hash of a password (slow on purpose: call it off the event loop in requests)."""
    return hasher.hash(password)


def _bad_credentials() -> Unauthorized:
    # One message for an unknown mobile and a wrong password, so nobody learns who has an account.
    return Unauthorized("手机号或密码错误", "Wrong mobile number or password", code=ErrorCode.invalid_credentials)


@functools.cache
def _decoy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the mobile is unknown, so both failures take as long."""
    return hasher.hash("linli-decoy-password")


async def _password_matches(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            # A hash names its own parameters: any hasher verifies it at the cost it was made with.
            return _VERIFIER.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    # argon2 is deliberately slow: keep it off the event loop.
    return await asyncio.to_thread(verify)


# --- roles from registry data --------------------------------------------------------------


async def derive_grants(session: AsyncSession, person_id: int) -> list[Grant]:
    """The scoped roles a person holds today, read from the registry: resident of their
    household, owner in each compound where they own, party member where they live or have
    checked in, grid worker of each grid, building head of each building, committee member of
    each compound (active memberships only), plus the admin grants made by hand."""
    person = await session.get(Person, person_id)
    if person is None or person.anonymised:
        return []
    today = clock_of(session).today()
    living_here = person.moved_out is None or person.moved_out > today
    grants: list[Grant] = []
    if person.household_id is not None and living_here:
        grants.append(Grant(Role.resident, "household", person.household_id))

    owned = await session.scalars(
        select(Ownership.compound_id)
        .where(Ownership.person_id == person_id, or_(Ownership.until.is_(None), Ownership.until > today))
        .distinct()
        .order_by(Ownership.compound_id)
    )
    grants += [Grant(Role.owner, "compound", compound_id) for compound_id in owned]

    member_id = await session.scalar(select(PartyMember.id).where(PartyMember.person_id == person_id))
    if member_id is not None:
        compounds = set(
            (
                await session.scalars(
                    select(CheckIn.compound_id).where(CheckIn.party_member_id == member_id, CheckIn.ended_at.is_(None))
                )
            ).all()
        )
        if person.compound_id is not None and living_here:
            compounds.add(person.compound_id)
        grants += [Grant(Role.party_member, "compound", c) for c in sorted(compounds)] or [Grant(Role.party_member)]

    grids = await session.scalars(
        select(GridAssignment.grid_id)
        .join(GridWorker, GridWorker.id == GridAssignment.grid_worker_id)
        .where(GridWorker.person_id == person_id)
        .order_by(GridAssignment.grid_id)
    )
    grants += [Grant(Role.grid_worker, "grid", grid_id) for grid_id in grids]

    buildings = await session.scalars(
        select(Head.place_id).where(Head.person_id == person_id, Head.kind == "building").order_by(Head.place_id)
    )
    grants += [Grant(Role.building_head, "building", building_id) for building_id in buildings]

    memberships = await session.execute(
        select(Membership.body, Membership.compound_id)
        .where(Membership.person_id == person_id, Membership.until.is_(None), Membership.body.in_(COMMITTEE_ROLES))
        .order_by(Membership.body, Membership.compound_id)
    )
    grants += [Grant(Role(body), "compound", compound_id) for body, compound_id in memberships.all()]

    admin = await session.scalars(select(AdminGrant).where(AdminGrant.person_id == person_id).order_by(AdminGrant.id))
    for row in admin:
        if row.role in Role.__members__:
            grants.append(Grant(Role(row.role), row.scope_kind, row.scope_id))
    return list(dict.fromkeys(grants))


# --- login ---------------------------------------------------------------------------------


def _throttle_keys(mobile_hash: str, address: str) -> dict[str, int]:
    """The throttles a login attempt counts against, with the failures each allows for free."""
    return {f"mobile:{mobile_hash}": FREE_FAILURES_PER_MOBILE, f"address:{address}"[:100]: FREE_FAILURES_PER_ADDRESS}


async def _wait_seconds(session: AsyncSession, keys: dict[str, int], now: datetime) -> int:
    rows = await session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    return max(
        (Throttle(row.failures, row.last_failure_at, keys[row.key]).wait_seconds(now) for row in rows), default=0
    )


async def _record_failure(sessionmaker: async_sessionmaker[AsyncSession], keys: dict[str, int], now: datetime) -> None:
    # The request's unit of work rolls back on every error response (shared/http.py), and a
    # failed login is an error response: counted there, the failure would vanish and a guesser
    # could try passwords for ever. So it is written and committed in a session of its own.
    async with sessionmaker() as own:
        for key, free in keys.items():
            row = await own.scalar(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update())
            if row is None:
                own.add(LoginThrottle(key=key, failures=1, last_failure_at=now))
                continue
            state = Throttle(row.failures, row.last_failure_at, free).after_failure(now)
            row.failures, row.last_failure_at = state.failures, now
        try:
            await own.commit()
        except IntegrityError:
            # Another failure created the row at the same moment: count this one on top.
            await own.rollback()
            for key in keys:
                await own.execute(
                    update(LoginThrottle)
                    .where(LoginThrottle.key == key)
                    .values(failures=LoginThrottle.failures + 1, last_failure_at=now)
                )
            await own.commit()


async def _issue(
    session: AsyncSession, codec: TokenCodec, person_id: int, grants: list[Grant], now: datetime, refresh_ttl: int
) -> s.TokenOut:
    refresh_token = await sessions.start(session, person_id, grants, now, refresh_ttl)
    return s.TokenOut(
        access_token=codec.issue(person_id, grants),
        expires_in=codec.ttl,
        refresh_token=refresh_token,
        refresh_expires_in=refresh_ttl,
        person_id=person_id,
        roles=[s.RoleOut.model_validate(g) for g in grants],
    )


async def login(
    session: AsyncSession,
    runtime: ServiceRuntime,
    vault: PiiVault,
    codec: TokenCodec,
    body: s.TokenRequest,
    address: str,
) -> s.TokenOut:
    """Mobile + password -> an access token with the roles derived now and a refresh token.
    401 for an unknown mobile and a wrong password alike; after repeated failures for a mobile
    number (known or not) or from an address, 429 with Retry-After until the back-off passes."""
    mobile = parse_mobile(body.mobile)
    mobile_hash = vault.search_hash(mobile)
    now = runtime.clock()
    keys = _throttle_keys(mobile_hash, address)
    if wait := await _wait_seconds(session, keys, now):
        raise LoginThrottled(wait)
    account = await session.scalar(select(Account).where(Account.mobile_hash == mobile_hash))
    if account is None:
        await _password_matches(_decoy_hash(hasher_of(runtime.settings)), body.password)
        await _record_failure(runtime.db.sessionmaker, keys, now)
        raise _bad_credentials()
    if not await _password_matches(account.password_hash, body.password):
        await _record_failure(runtime.db.sessionmaker, keys, now)
        raise _bad_credentials()
    # The owner got in: their mobile's count starts afresh (the address's does not, or a guesser
    # could clear it by logging in to an account of their own between tries).
    await session.execute(delete(LoginThrottle).where(LoginThrottle.key == f"mobile:{mobile_hash}"))
    account.failed_attempts, account.locked_until, account.last_login_at = 0, None, now
    hasher = hasher_of(runtime.settings)
    if hasher.check_needs_rehash(account.password_hash):
        account.password_hash = await asyncio.to_thread(hash_password, hasher, body.password)
    grants = await derive_grants(session, account.person_id)
    return await _issue(session, codec, account.person_id, grants, now, runtime.settings.refresh_token_ttl_seconds)


async def refresh(
    session: AsyncSession, runtime: ServiceRuntime, codec: TokenCodec, body: s.RefreshRequest
) -> s.TokenOut:
    """A new access token and a new refresh token for a live one (which is used up)."""

    async def roles_now(person_id: int) -> list[Grant] | None:
        if await session.get(Account, person_id) is None:
            return None
        return await derive_grants(session, person_id)

    ttl = runtime.settings.refresh_token_ttl_seconds
    access, refresh_token, person_id, grants = await sessions.refresh(
        session, runtime.db.sessionmaker, codec, body.refresh_token, runtime.clock(), ttl, roles_now
    )
    return s.TokenOut(
        access_token=access,
        expires_in=codec.ttl,
        refresh_token=refresh_token,
        refresh_expires_in=ttl,
        person_id=person_id,
        roles=[s.RoleOut.model_validate(g) for g in grants],
    )


async def logout(session: AsyncSession, runtime: ServiceRuntime, body: s.RefreshRequest) -> None:
    await sessions.end(session, body.refresh_token, runtime.clock())


async def change_password(
    session: AsyncSession, runtime: ServiceRuntime, vault: PiiVault, principal: Principal, body: s.PasswordChange
) -> None:
    """The caller changes their own password; every session of theirs ends (log in again)."""
    account = await session.get(Account, principal.person_id) if principal.person_id is not None else None
    if account is None:
        raise Forbidden("该令牌不属于任何账户，无法修改密码", "This token belongs to no account")
    if not await _password_matches(account.password_hash, body.current_password):
        raise Forbidden(
            "当前密码不正确",
            "current_password is wrong",
            code=ErrorCode.wrong_password,
            details=[{"field": "current_password"}],
        )
    person = await session.get(Person, account.person_id)
    mobile = vault.decrypt_or_none(person.mobile_enc) if person is not None else None
    check_password(body.new_password, "new_password", mobile)
    if await _password_matches(account.password_hash, body.new_password):
        raise InvalidInput(
            "新密码 new_password 不能与当前密码相同",
            "new_password must differ from the current one",
            code=ErrorCode.password_unchanged,
            details=[{"field": "new_password"}],
        )
    account.password_hash = await asyncio.to_thread(hash_password, hasher_of(runtime.settings), body.new_password)
    await sessions.revoke_person(session, account.person_id, sessions.PASSWORD_CHANGED, runtime.clock())


# --- accounts ------------------------------------------------------------------------------


def _require_person_admin(principal: Principal, area: Area | None) -> None:
    """Street or community admins of where the person lives (any of them for people outside
    every compound), and ops."""
    if area is None:
        require_anywhere(principal, Role.street_admin, Role.community_admin)
    else:
        require_admin(principal, area)


async def create_account(
    session: AsyncSession,
    settings: Settings,
    vault: PiiVault,
    principal: Principal,
    body: s.AccountCreate,
    *,
    demo: bool = False,
) -> s.AccountOut:
    """`demo=True` only for the demo street's seeded accounts (demo.py): their published password
    (`linli-demo`) is exempt from the password policy, and from nowhere else."""
    person = await living_person(session, body.person_id)
    _require_person_admin(principal, await area_of_person(session, person))
    mobile = parse_mobile(body.mobile)
    if not demo:
        check_password(body.password, mobile=mobile)
    registered = vault.decrypt_or_none(person.mobile_enc)
    if registered is not None and registered != mobile:
        raise InvalidInput(
            f"mobile：手机号 {mask_mobile(mobile)} 与人员 {person.id} 登记的手机号不一致",
            f"mobile {mask_mobile(mobile)} differs from the one registered for person {person.id}",
            details=[{"field": "mobile", "value": body.mobile}],
        )
    if await session.get(Account, person.id) is not None:
        raise Conflict(
            f"人员 {person.id} 已有账户",
            f"person {person.id} already has an account",
            code=ErrorCode.duplicate,
            details={"field": "person_id", "value": person.id},
        )
    mobile_taken = Conflict(
        f"手机号 {mask_mobile(mobile)} 已用于另一个账户",
        f"mobile {mask_mobile(mobile)} is already used by another account",
        code=ErrorCode.duplicate,
        details={"field": "mobile", "value": mask_mobile(mobile)},
    )
    mobile_hash = vault.search_hash(mobile)
    if await session.scalar(select(Account.person_id).where(Account.mobile_hash == mobile_hash)) is not None:
        raise mobile_taken
    password_hash = await asyncio.to_thread(hash_password, hasher_of(settings), body.password)
    account = Account(person_id=person.id, mobile_hash=mobile_hash, password_hash=password_hash, failed_attempts=0)
    session.add(account)
    try:
        await session.flush()
    except IntegrityError:
        raise mobile_taken from None
    return s.AccountOut(person_id=person.id, mobile_masked=mask_mobile(mobile), locked_until=None, last_login_at=None)


# --- admin grants --------------------------------------------------------------------------

_SCOPE_PLACES: dict[str, tuple[type[Street] | type[Community] | type[Compound], str]] = {
    "street": (Street, "街道"),
    "community": (Community, "社区"),
    "compound": (Compound, "小区"),
}


async def _grant_area(session: AsyncSession, scope_kind: str | None, scope_id: int | None) -> Area | None:
    if scope_kind is None or scope_id is None:
        return None
    if scope_kind == "street":
        return Area(street_id=scope_id)
    if scope_kind == "community":
        return await community_area(session, scope_id)
    return await compound_area(session, scope_id)


def _may_grant(principal: Principal, role: str, area: Area | None) -> None:
    """Ops grant anything; a street admin grants admin roles inside their street (an unscoped
    street admin anywhere), never ops."""
    if principal.holds_everywhere(Role.ops):
        return
    if role != Role.ops:
        if principal.holds_everywhere(Role.street_admin):
            return
        if area is not None and principal.has(Role.street_admin, "street", area.street_id):
            return
    raise Forbidden(
        "无权授予该角色：需要该街道的街道管理员（运维角色只能由运维授予）",
        "Forbidden: requires the street admin of that street (only ops grant ops)",
    )


async def create_admin_grant(session: AsyncSession, principal: Principal, body: s.AdminGrantCreate) -> s.AdminGrantOut:
    if body.role not in GRANTABLE_SCOPES:
        raise InvalidInput(
            f"role：角色 “{body.role}” 不能手工授予（可授予：{'、'.join(GRANTABLE_SCOPES)}；其余角色由登记数据推出）",
            f"role {body.role!r} cannot be granted by hand; one of {', '.join(GRANTABLE_SCOPES)}",
            details=[{"field": "role", "value": body.role}],
        )
    try:
        grant = Grant.parse(body.role, body.scope)
    except ValueError as exc:
        raise InvalidInput(
            f"scope：{exc}",
            f"scope must be KIND:ID, got {body.scope!r}",
            details=[{"field": "scope", "value": body.scope}],
        ) from None
    allowed = GRANTABLE_SCOPES[body.role]
    if grant.scope_kind not in allowed:
        shown = "、".join(k if k is not None else "不限范围" for k in allowed)
        raise InvalidInput(
            f"scope：{grant.role.label}的范围应为 {shown}，收到 “{body.scope}”",
            f"scope of {body.role} must be one of {allowed}, got {body.scope!r}",
            details=[{"field": "scope", "value": body.scope}],
        )
    if grant.scope_kind is not None:
        model, label = _SCOPE_PLACES[grant.scope_kind]
        if await session.get(model, grant.scope_id) is None:
            raise InvalidInput(
                f"scope：{label} {grant.scope_id} 不存在",
                f"scope: {grant.scope_kind} {grant.scope_id} not found",
                details=[{"field": "scope", "value": body.scope}],
            )
    _may_grant(principal, grant.role, await _grant_area(session, grant.scope_kind, grant.scope_id))
    person = await living_person(session, body.person_id)
    same = select(AdminGrant.id).where(
        AdminGrant.person_id == person.id,
        AdminGrant.role == grant.role.value,
        AdminGrant.scope_kind.is_(None) if grant.scope_kind is None else AdminGrant.scope_kind == grant.scope_kind,
        AdminGrant.scope_id.is_(None) if grant.scope_id is None else AdminGrant.scope_id == grant.scope_id,
    )
    duplicate = Conflict(
        f"人员 {person.id} 已有该授权：{grant.role.label} {body.scope or ''}".rstrip(),
        f"person {person.id} already holds {grant.role.value} {body.scope or ''}".rstrip(),
        code=ErrorCode.duplicate,
        details={"field": "role", "value": grant.role.value, "scope": body.scope},
    )
    if await session.scalar(same) is not None:
        raise duplicate
    row = AdminGrant(person_id=person.id, role=grant.role.value, scope_kind=grant.scope_kind, scope_id=grant.scope_id)
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        raise duplicate from None
    return s.AdminGrantOut.model_validate(row)


async def list_admin_grants(
    session: AsyncSession, principal: Principal, reach: Reach, person_id: int | None
) -> list[s.AdminGrantOut]:
    """Street admins see the grants inside their street, and the platform-wide ones (who the
    operators are is no one's private matter); other streets' grants stay out of sight."""
    require_anywhere(principal, Role.street_admin)
    query = select(AdminGrant).order_by(AdminGrant.id)
    if not reach.everywhere:
        query = query.where(
            or_(
                AdminGrant.scope_kind.is_(None),
                and_(AdminGrant.scope_kind == "street", reach.staff_of_street(AdminGrant.scope_id)),
                and_(AdminGrant.scope_kind == "community", reach.staff_of_community(AdminGrant.scope_id)),
                and_(AdminGrant.scope_kind == "compound", reach.staff_in(AdminGrant.scope_id)),
            )
        )
    if person_id is not None:
        query = query.where(AdminGrant.person_id == person_id)
    return [s.AdminGrantOut.model_validate(row) for row in (await session.scalars(query)).all()]


async def remove_admin_grant(session: AsyncSession, principal: Principal, grant_id: int, now: datetime) -> None:
    row = await session.get(AdminGrant, grant_id)
    if row is None:
        raise NotFound(
            f"授权 {grant_id} 不存在",
            f"Admin grant {grant_id} not found",
            details={"id": grant_id, "kind": "admin grant"},
        )
    _may_grant(principal, row.role, await _grant_area(session, row.scope_kind, row.scope_id))
    await session.delete(row)
    await session.flush()
    # The role must not outlive its grant: the person's sessions end now (their access tokens
    # within token_ttl_seconds).
    await sessions.revoke_person(session, row.person_id, sessions.ADMIN_GRANT_REMOVED, now)


# --- the caller ----------------------------------------------------------------------------


async def me(session: AsyncSession, vault: PiiVault, principal: Principal) -> s.MeOut:
    person = await session.get(Person, principal.person_id) if principal.person_id is not None else None
    return s.MeOut(
        person_id=principal.person_id,
        person=show_resident(vault, person) if person is not None else None,
        roles=[s.RoleOut.model_validate(g) for g in principal.grants],
    )
