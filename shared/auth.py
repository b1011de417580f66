"""JWT tokens whose claims are a person id and roles scoped to places, and the FastAPI
dependencies every service uses to authorise (the gateway checks too, but never alone)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request

from shared.clock import Clock
from shared.error_codes import ErrorCode
from shared.errors import Forbidden, Unauthorized
from shared.settings import Settings


class Role(StrEnum):
    """Roles a token may carry, with the place kind each is scoped to (None = unscoped)."""

    resident = "resident"
    owner = "owner"
    party_member = "party_member"
    grid_worker = "grid_worker"
    building_head = "building_head"
    owners_committee = "owners_committee"
    council = "council"
    supervisory_committee = "supervisory_committee"
    property_staff = "property_staff"
    auditor = "auditor"
    community_admin = "community_admin"
    street_admin = "street_admin"
    ops = "ops"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.resident: "居民",
    Role.owner: "业主",
    Role.party_member: "党员",
    Role.grid_worker: "网格员",
    Role.building_head: "楼栋长",
    Role.owners_committee: "业委会委员",
    Role.council: "议事会成员",
    Role.supervisory_committee: "监委会委员",
    Role.property_staff: "物业人员",
    Role.auditor: "审计人员",
    Role.community_admin: "社区管理员",
    Role.street_admin: "街道管理员",
    Role.ops: "运维",
}

SCOPE_KINDS = ("street", "community", "grid", "compound", "building", "dwelling", "household")


@dataclass(frozen=True)
class Grant:
    """One role, optionally scoped to one place: grid_worker of grid:12."""

    role: Role
    scope_kind: str | None = None
    scope_id: int | None = None

    def to_claim(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role.value}
        if self.scope_kind is not None:
            out["scope"] = f"{self.scope_kind}:{self.scope_id}"
        return out

    @classmethod
    def parse(cls, role: str, scope: str | None) -> Grant:
        """Build a grant from `role` and `kind:id`; ValueError says what is wrong."""
        try:
            r = Role(role)
        except ValueError:
            raise ValueError(f"未知角色 {role!r} (unknown role; one of {', '.join(Role)})") from None
        if scope is None:
            return cls(r)
        kind, _, ident = scope.partition(":")
        if kind not in SCOPE_KINDS or not ident.isdigit():
            raise ValueError(f"范围格式应为 KIND:ID，如 grid:12 (scope must be KIND:ID, got {scope!r})")
        return cls(r, kind, int(ident))


# An unscoped grant of these roles serves every place (ops; the street admin above all streets
# of a one-street deployment; an auditor of the whole platform). Any other unscoped grant means
# "holds the role, at no particular place" (a party member registered outside every compound)
# and counts at no place.
EVERYWHERE_WHEN_UNSCOPED = frozenset({Role.ops, Role.street_admin, Role.auditor})


@dataclass(frozen=True)
class Place:
    """A place and the places above it, as far as a service knows them: a compound with its grid,
    community and street, or a community with its street, or a street alone. A level left None
    is unknown (not yet projected) or lies below the place, and no role held there counts."""

    street_id: int | None = None
    community_id: int | None = None
    grid_id: int | None = None
    compound_id: int | None = None

    def levels(self) -> frozenset[tuple[str, int]]:
        """The (scope kind, id) pairs of the place and everything above it."""
        pairs = (
            ("street", self.street_id),
            ("community", self.community_id),
            ("grid", self.grid_id),
            ("compound", self.compound_id),
        )
        return frozenset((kind, ident) for kind, ident in pairs if ident is not None)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a person id and their scoped roles."""

    person_id: int | None
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    def has(self, role: Role, scope_kind: str, scope_id: int) -> bool:
        """True if the caller holds `role` at exactly that place (grid_worker of grid:12).
        Whether a role held above the place counts is the caller's rule: see `is_staff_of`."""
        return any(g.role == role and g.scope_kind == scope_kind and g.scope_id == scope_id for g in self.grants)

    def holds_anywhere(self, role: Role) -> bool:
        """True if the caller holds `role` at some place or unscoped. Only for checks that truly
        mean "somewhere": an action that belongs to no one place, or choosing an answer's wording.
        Ops is `holds_everywhere(Role.ops)`."""
        return any(g.role == role for g in self.grants)

    def holds_everywhere(self, role: Role) -> bool:
        """True if the caller holds `role` unscoped and that means every place (ops, an
        unscoped street admin or auditor): what lists everything rather than some places."""
        return role in EVERYWHERE_WHEN_UNSCOPED and any(g.role == role and g.scope_kind is None for g in self.grants)

    def holds_at(self, role: Role, place: Place) -> bool:
        """True if the caller holds `role` at the place or at a place above it, or everywhere."""
        levels = place.levels()
        return self.holds_everywhere(role) or any(
            g.role == role
            and g.scope_kind is not None
            and g.scope_id is not None
            and (g.scope_kind, g.scope_id) in levels
            for g in self.grants
        )

    def households(self) -> set[int]:
        """The households the caller is a resident of (the grants name them)."""
        return {
            g.scope_id
            for g in self.grants
            if g.role == Role.resident and g.scope_kind == "household" and g.scope_id is not None
        }

    def holds_role_at_compound(self, compound_id: int) -> bool:
        """Holds some role scoped to this compound (owner, party member, committee member,
        property staff, ...): one of the people of the compound."""
        return any(g.scope_kind == "compound" and g.scope_id == compound_id for g in self.grants)

    @property
    def caller_key(self) -> str:
        return f"person:{self.person_id}" if self.person_id is not None else "anonymous"


# How many verified tokens a codec remembers (a few MB at most); the oldest is forgotten first.
VERIFIED_TOKENS_KEPT = 10_000


class TokenCodec:
    """Signs and verifies Linli's JWTs (HS256 with a secret, or RS256 with a key pair).

    Issue and expiry times come from `clock` (a service passes its runtime.clock), never from
    the process's wall clock, so a test that moves the service clock past an access token's
    lifetime sees it refused."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] | None = None) -> None:
        self.algorithm = settings.jwt_algorithm
        self.issuer = settings.jwt_issuer
        self.ttl = settings.token_ttl_seconds
        self._clock = clock or Clock(timedelta(seconds=settings.clock_offset_seconds))
        if self.algorithm == "HS256":
            secret = settings.jwt_secret.get_secret_value()
            self._sign_key: Any = secret
            self._verify_key: Any = secret
        else:
            self._sign_key = settings.jwt_private_key_file.read_text() if settings.jwt_private_key_file else None
            if settings.jwt_public_key_file is None:
                raise ValueError("RS256 needs JWT_PUBLIC_KEY_FILE")
            self._verify_key = settings.jwt_public_key_file.read_text()
        # Tokens verified so far: the caller each names and when it expires (see `verify`).
        self._verified: dict[str, tuple[Principal, float]] = {}

    def issue(self, person_id: int | None, grants: list[Grant], ttl_seconds: int | None = None) -> str:
        if self._sign_key is None:
            raise ValueError("没有私钥，无法签发令牌 (no private key to sign with)")
        now = int(self._clock().timestamp())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "iat": now,
            "exp": now + (self.ttl if ttl_seconds is None else ttl_seconds),
            "roles": [g.to_claim() for g in grants],
        }
        if person_id is not None:
            claims["sub"] = str(person_id)
        return jwt.encode(claims, self._sign_key, algorithm=self.algorithm)

    def verify(self, token: str) -> Principal:
        """The caller the token names; Unauthorized if it is expired, forged or malformed.

        A token that verified once is remembered (its signature and roles cannot change; the
        same token comes with every request of a session, to the gateway and to the service),
        so the next request only checks its expiry against the clock, as the first one did."""
        known = self._verified.get(token)
        if known is not None:
            principal, expires = known
            if expires <= self._clock().timestamp():
                raise Unauthorized("登录已过期，请重新登录", "Token expired", code=ErrorCode.token_expired)
            return principal
        principal, expires = self._verify(token)
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[token] = (principal, expires)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            claims = jwt.decode(
                token,
                self._verify_key,
                algorithms=[self.algorithm],
                issuer=self.issuer,
                # Times are checked below against the service clock, not PyJWT's time.time().
                options={
                    "require": ["exp", "iat", "iss"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized("令牌无效", f"Invalid token: {exc}", code=ErrorCode.token_invalid) from None
        expires = claims.get("exp")
        if not isinstance(expires, int | float) or isinstance(expires, bool):
            raise Unauthorized("令牌无效", "Invalid token: exp must be a number", code=ErrorCode.token_invalid)
        if expires <= self._clock().timestamp():
            raise Unauthorized("登录已过期，请重新登录", "Token expired", code=ErrorCode.token_expired)
        try:
            grants = tuple(Grant.parse(r["role"], r.get("scope")) for r in claims.get("roles", []))
            sub = claims.get("sub")
            person_id = int(sub) if sub is not None else None
        except (ValueError, TypeError, KeyError):
            raise Unauthorized(
                "令牌中的角色无效", "Token carries invalid roles", code=ErrorCode.token_invalid
            ) from None
        return Principal(person_id, grants), float(expires)


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "Authorization 头格式应为 Bearer <令牌>",
            "Authorization must be 'Bearer <token>'",
            code=ErrorCode.token_invalid,
        )
    return token.strip()


def optional_principal(request: Request) -> Principal | None:
    """The caller, or None when no token was sent; a bad token is always refused."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    token = bearer_token(request)
    if token is None:
        return None
    codec: TokenCodec = request.app.state.tokens
    principal = codec.verify(token)
    request.state.principal = principal
    return principal


def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    """The caller; 401 without a token."""
    if principal is None:
        raise Unauthorized("请先登录 (需要 Bearer 令牌)", "Authentication required: send a Bearer token")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


Check = tuple[Role, str, int]


def _forbidden(roles: list[Role]) -> Forbidden:
    roles = list(dict.fromkeys(roles))  # one role may be checked at several places
    return Forbidden(
        f"无权执行此操作，需要角色：{'、'.join(ROLE_LABELS[r] for r in roles)}",
        f"Forbidden: requires one of {', '.join(r.value for r in roles)}",
    )


def require_any(principal: Principal, *checks: Check) -> None:
    """Pass if the caller holds any of the (role, scope kind, scope id) grants, or is ops; else 403."""
    if principal.holds_everywhere(Role.ops) or any(principal.has(role, kind, ident) for role, kind, ident in checks):
        return
    raise _forbidden([r for r, _, _ in checks])


def require_anywhere(principal: Principal, *roles: Role) -> None:
    """Pass if the caller holds any of `roles` at some place (or is ops); else 403. Only for
    actions that belong to no one place (the platform's order catalogue, say)."""
    if principal.holds_everywhere(Role.ops) or any(principal.holds_anywhere(r) for r in roles):
        return
    raise _forbidden(list(roles))


# The admins of every place: whoever holds one of these at the place or above is its staff.
PLACE_ADMINS = (Role.ops, Role.street_admin, Role.community_admin)


def is_staff_of(principal: Principal, place: Place, *also: Role) -> bool:
    """Staff of this place or above: ops, a street admin of its street (or an unscoped one),
    the community admin of its community; and each role of `also` held at the place or above
    it (grid_worker at its grid, property_staff at its compound, auditor at any level)."""
    return any(principal.holds_at(role, place) for role in (*PLACE_ADMINS, *also))


def require_staff_of(principal: Principal, place: Place, *also: Role) -> None:
    """`is_staff_of`, or 403 naming the roles that would do."""
    if not is_staff_of(principal, place, *also):
        raise _forbidden([*also, Role.community_admin, Role.street_admin])
