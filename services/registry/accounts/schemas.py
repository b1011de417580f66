"""Request and response bodies of login, accounts, admin grants and /me."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, computed_field

from services.registry.bodies import In
from services.registry.people.schemas import ResidentOut
from shared.auth import Role
from shared.responses import FromRow


class TokenRequest(In):
    mobile: str = Field(min_length=1, max_length=40, examples=["13800000002"])
    password: str = Field(min_length=1, max_length=200, examples=["linli-demo"])


class RoleOut(FromRow):
    """Read from a token's grant or an admin grant's row: the place is kept as kind and id and
    shown as one `KIND:ID`."""

    role: str
    scope_kind: str | None = Field(exclude=True)
    scope_id: int | None = Field(exclude=True)

    @computed_field(description="KIND:ID, e.g. grid:3; null when unscoped")  # type: ignore[prop-decorator]
    @property
    def scope(self) -> str | None:
        return None if self.scope_kind is None else f"{self.scope_kind}:{self.scope_id}"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label(self) -> str:
        return Role(self.role).label


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds the access token is good for (at most 900)")
    refresh_token: str = Field(
        description="single use: POST it to /auth/refresh for a new pair before the access token runs out"
    )
    refresh_expires_in: int = Field(description="seconds the refresh token is good for")
    person_id: int
    roles: list[RoleOut]


class RefreshRequest(In):
    refresh_token: str = Field(min_length=1, max_length=200)


class PasswordChange(In):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200, description="至少 10 个字符，不在常见密码表中，不是手机号")


class AccountCreate(In):
    person_id: int = Field(gt=0)
    mobile: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=200, description="至少 10 个字符，不在常见密码表中，不是手机号")


class AccountOut(BaseModel):
    person_id: int
    mobile_masked: str
    locked_until: datetime | None
    last_login_at: datetime | None


class AdminGrantCreate(In):
    person_id: int = Field(gt=0)
    role: str = Field(examples=["community_admin"], description="street_admin / community_admin / property_staff / ops")
    scope: str | None = Field(default=None, examples=["community:1"], description="KIND:ID; null when unscoped")


class AdminGrantOut(RoleOut):
    id: int
    person_id: int


class MeOut(BaseModel):
    """The caller: their person (personal data masked) and the roles their token carries."""

    person_id: int | None
    person: ResidentOut | None
    roles: list[RoleOut]


class HomeDwelling(BaseModel):
    dwelling_id: int
    household_id: int | None
    compound_id: int
    compound_name: str
    building_id: int
    building_number: str
    entrance_id: int
    entrance_number: str
    room: str
    floor: int | None
    area_m2: str = Field(description="建筑面积 (m², two decimals)", examples=["86.50"])
    address: str = Field(examples=["1号楼1单元301室"])
    owner: bool = Field(description="the caller owns this dwelling")


class HomeContact(BaseModel):
    """One line of the 连心卡: who to turn to, with the mobile masked as everywhere else."""

    role: str = Field(examples=["grid_worker"])
    role_label: str = Field(examples=["网格员"])
    name: str
    mobile_masked: str | None
    detail: str | None = Field(default=None, examples=["第一网格", "水电维修服务岗"])


class Hotline(BaseModel):
    name: str
    number: str


class HomeOut(BaseModel):
    """The caller's own home (《"杏"福邻里连心卡》 of seed 002): their dwelling and household, the
    compound, grid and community it sits in, and the people to turn to. Only the caller's data."""

    person_id: int
    name: str
    relation: str | None
    dwelling: HomeDwelling | None = Field(description="null for a person without a home in the registry")
    household_members: int = Field(description="people registered in the caller's household")
    compound_name: str | None
    grid_name: str | None
    community_name: str | None
    street_name: str | None
    contacts: list[HomeContact]
    hotlines: list[Hotline]
