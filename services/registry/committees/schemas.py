"""Request and response bodies of committee memberships."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

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


class MembershipOut(BaseModel):
    id: int
    version: int
    created_at: datetime
    person_id: int
    name: str
    body: Body
    body_label: str
    compound_id: int
    role: MemberRole
    role_label: str
    since: date | None
    until: date | None
    active: bool
