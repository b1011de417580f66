"""Request and response bodies of committee memberships."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.registry.bodies import Out
from services.registry.committees.domain import Body, MemberRole
from services.registry.resources import VersionedChange


class MembershipCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: int = Field(gt=0)
    body: Body = Field(examples=["owners_committee"])
    compound_id: int = Field(gt=0)
    role: MemberRole = MemberRole.member
    since: date | None = None


class MembershipUpdate(VersionedChange):
    model_config = ConfigDict(extra="forbid")

    role: MemberRole | None = None
    until: date | None = Field(default=None, description="卸任日期; a membership with an end date is no longer active")


class MembershipOut(Out):
    """The member's name comes from the person's row (`row_with(membership, name=…)`)."""

    person_id: int
    name: str
    body: Body
    compound_id: int
    role: MemberRole
    since: date | None
    until: date | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def body_label(self) -> str:
        return self.body.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def role_label(self) -> str:
        return self.role.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def active(self) -> bool:
        return self.until is None
