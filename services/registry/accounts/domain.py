"""Account rules, plain Python: the password policy, the back-off after repeated failed logins,
and which roles the committees a person sits on give."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from shared.error_codes import ErrorCode
from shared.errors import InvalidInput

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128

# Login back-off: after this many failures in a row (per mobile number, known or not) or from
# one client address, every further attempt waits BACKOFF_BASE doubled per failure, up to
# BACKOFF_MAX. Nobody is ever locked out: the owner of a mobile a stranger sprays only waits.
FREE_FAILURES_PER_MOBILE = 5
# An address may be a household or an office behind one NAT, so it is allowed more.
FREE_FAILURES_PER_ADDRESS = 20
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_MAX = timedelta(minutes=15)
# Failures older than this (with none since) are forgotten.
FAILURE_MEMORY = timedelta(hours=1)

# Bodies of a compound whose members carry a role of the same name in their token; the
# property and self-management committees have no role of their own (yet).
COMMITTEE_ROLES = ("owners_committee", "council", "supervisory_committee")

# Roles that are granted by hand (AdminGrant rows) rather than derived from registry data,
# with the place kinds each may be scoped to (None: unscoped).
GRANTABLE_SCOPES: dict[str, tuple[str | None, ...]] = {
    "street_admin": ("street", None),
    "community_admin": ("community",),
    "property_staff": ("compound",),
    "ops": (None,),
}


@functools.cache
def common_passwords() -> frozenset[str]:
    """The bundled list of passwords guessers try first (lower case), one per line."""
    text = (Path(__file__).parent / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def check_password(password: str, field: str = "password", mobile: str | None = None) -> None:
    """The password policy, whenever a password is set or changed: 10 to 128 characters, not
    only white space, not on the list of common passwords, not the account's mobile number.
    The value is never echoed back."""

    def refuse(code: ErrorCode, zh: str, en: str) -> InvalidInput:
        return InvalidInput(f"密码 {field} {zh}", f"{field} {en}", code=code, details=[{"field": field}])

    if len(password) < MIN_PASSWORD_LENGTH or not password.strip():
        raise refuse(
            ErrorCode.password_too_short,
            f"至少 {MIN_PASSWORD_LENGTH} 个字符",
            f"must be at least {MIN_PASSWORD_LENGTH} characters",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise refuse(
            ErrorCode.password_too_long,
            f"不能超过 {MAX_PASSWORD_LENGTH} 个字符",
            f"must be at most {MAX_PASSWORD_LENGTH} characters",
        )
    if password.strip().lower() in common_passwords():
        raise refuse(
            ErrorCode.password_too_common,
            "过于常见，容易被猜中，请换一个",
            "is on the list of common passwords; choose another",
        )
    if mobile is not None and _only_mobile(password, mobile):
        raise refuse(ErrorCode.password_is_mobile, "不能是手机号", "must not be the mobile number")


def _only_mobile(password: str, mobile: str) -> bool:
    """The password is the mobile number, give or take separators and a +86 prefix."""
    rest = "".join(ch for ch in password if ch not in " -+()")
    digits = _digits(mobile)
    return rest in (digits, "86" + digits, "0086" + digits)


def backoff_until(failures: int, free: int, last_failure: datetime) -> datetime | None:
    """When the next attempt may come after `failures` in a row (None: at once)."""
    if failures < free:
        return None
    doublings = min(failures - free, 20)  # 2 s * 2**20 is far past the cap already
    return last_failure + min(BACKOFF_BASE * (1 << doublings), BACKOFF_MAX)


@dataclass(frozen=True)
class Throttle:
    """Failed logins in a row under one key (a mobile number's hash or a client address)."""

    failures: int
    last_failure: datetime | None
    free: int

    def current(self, now: datetime) -> Throttle:
        """Forget failures after FAILURE_MEMORY of quiet."""
        last = self.last_failure
        if last is None or now - last >= FAILURE_MEMORY:
            return Throttle(0, None, self.free)
        return Throttle(self.failures, last, self.free)

    def wait_seconds(self, now: datetime) -> int:
        """Whole seconds before another attempt is heard (0: now)."""
        state = self.current(now)
        if state.last_failure is None:
            return 0
        until = backoff_until(state.failures, state.free, state.last_failure)
        if until is None or until <= now:
            return 0
        return max(1, math.ceil((until - now).total_seconds()))

    def after_failure(self, now: datetime) -> Throttle:
        state = self.current(now)
        return Throttle(state.failures + 1, now, self.free)
