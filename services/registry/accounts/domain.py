"""Account rules, plain Python: the password policy, the lock-out after repeated failures, and
which roles the committees a person sits on give."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.errors import InvalidInput

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
MAX_FAILED_ATTEMPTS = 5
LOCK_DURATION = timedelta(minutes=15)

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


def check_password(password: str, field: str = "password") -> None:
    """8 to 128 characters, not only white space. The value is never echoed back."""
    if len(password) < MIN_PASSWORD_LENGTH or not password.strip():
        raise InvalidInput(
            f"密码 {field} 至少 {MIN_PASSWORD_LENGTH} 个字符",
            f"{field} must be at least {MIN_PASSWORD_LENGTH} characters",
            details=[{"field": field, "length": len(password)}],
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"密码 {field} 不能超过 {MAX_PASSWORD_LENGTH} 个字符",
            f"{field} must be at most {MAX_PASSWORD_LENGTH} characters",
            details=[{"field": field, "length": len(password)}],
        )


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for timezone-aware columns; they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class LoginState:
    """An account's failure counter and lock, as stored."""

    failed_attempts: int
    locked_until: datetime | None

    def locked(self, now: datetime) -> bool:
        until = as_utc(self.locked_until)
        return until is not None and until > now

    def retry_after_seconds(self, now: datetime) -> int:
        """Whole seconds until the lock lifts (at least 1 while locked)."""
        until = as_utc(self.locked_until)
        if until is None or until <= now:
            return 0
        return max(1, int((until - now).total_seconds() + 0.999))

    def after_failure(self, now: datetime) -> LoginState:
        """One more consecutive failure; the fifth locks the account for 15 minutes. A lock that
        has run out starts the count afresh."""
        previous = 0 if as_utc(self.locked_until) is not None and not self.locked(now) else self.failed_attempts
        attempts = previous + 1
        if attempts >= MAX_FAILED_ATTEMPTS:
            return LoginState(attempts, now + LOCK_DURATION)
        return LoginState(attempts, None)

    @staticmethod
    def after_success() -> LoginState:
        return LoginState(0, None)
