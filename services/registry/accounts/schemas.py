"""Request and response bodies of login, accounts, admin grants and /me."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.registry.people.schemas import ResidentOut


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenRequest(In):
    mobile: str = Field(min_length=1, max_length=40, examples=["13800000002"])
    password: str = Field(min_length=1, max_length=200, examples=["linli-demo"])


class RoleOut(BaseModel):
    role: str
    scope: str | None = Field(description="KIND:ID, e.g. grid:3; null when unscoped")
    label: str


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds")
    person_id: int
    roles: list[RoleOut]


class AccountCreate(In):
    person_id: int = Field(gt=0)
    mobile: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=200, description="至少 8 个字符")


class AccountOut(BaseModel):
    person_id: int
    mobile_masked: str
    locked_until: datetime | None
    last_login_at: datetime | None


class AdminGrantCreate(In):
    person_id: int = Field(gt=0)
    role: str = Field(examples=["community_admin"], description="street_admin / community_admin / property_staff / ops")
    scope: str | None = Field(default=None, examples=["community:1"], description="KIND:ID; null when unscoped")


class AdminGrantOut(BaseModel):
    id: int
    person_id: int
    role: str
    label: str
    scope: str | None


class MeOut(BaseModel):
    """The caller: their person (personal data masked) and the roles their token carries."""

    person_id: int | None
    person: ResidentOut | None
    roles: list[RoleOut]
