"""Request and response bodies of the party organisation, members, check-ins and center
households. Never an ID-card or mobile number."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, computed_field

from services.registry.bodies import In, Out
from services.registry.party.domain import MAX_MENTORED, MAX_OPEN_ORDERS, PartyLedger, PartyOrgLevel, Skill
from services.registry.resources import VersionedChange

Id = Field(gt=0)


# --- organisations ------------------------------------------------------------------------


class PartyOrgCreate(In):
    level: PartyOrgLevel = Field(examples=["compound_branch"])
    name: str = Field(min_length=1, max_length=100, examples=["杏花岭小区党支部"])
    place_kind: str | None = Field(default=None, description="derived from level; if given it must match")
    place_id: int = Id
    parent_id: int | None = Field(default=None, gt=0, description="the organisation one level up")


class PartyOrgUpdate(VersionedChange, In):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    parent_id: int | None = Field(default=None, gt=0)


class PartyOrgOut(Out):
    level: PartyOrgLevel
    name: str
    place_kind: str
    place_id: int
    parent_id: int | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def level_label(self) -> str:
        return self.level.label


class PartyOrgNode(BaseModel):
    """One organisation in a subtree, with its own members and those of everything below."""

    id: int
    level: PartyOrgLevel
    level_label: str
    name: str
    place_kind: str
    place_id: int
    members: int
    members_in_subtree: int
    children: list[PartyOrgNode]


# --- members ------------------------------------------------------------------------------


class PartyMemberCreate(In):
    person_id: int = Id
    ledger: PartyLedger = Field(examples=["in_service"])
    party_org_id: int = Id
    skills: list[str] = Field(default_factory=list, max_length=20, examples=[["plumber"]])
    on_duty: bool = True
    max_open_orders: int = Field(default=3, ge=0, le=MAX_OPEN_ORDERS)


class PartyMemberUpdate(VersionedChange, In):
    ledger: PartyLedger | None = None
    party_org_id: int | None = Field(default=None, gt=0)
    skills: list[str] | None = Field(default=None, max_length=20, description="replaces the whole set")
    on_duty: bool | None = None
    max_open_orders: int | None = Field(default=None, ge=0, le=MAX_OPEN_ORDERS)


class PartyMemberOut(Out):
    """Name, home and skills come from the member's person and skill rows, loaded beside it
    (`row_with(member, **facts(member))`)."""

    person_id: int
    name: str
    household_id: int | None
    compound_id: int | None
    ledger: PartyLedger
    party_org_id: int
    skills: list[Skill]
    on_duty: bool
    max_open_orders: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ledger_label(self) -> str:
        return self.ledger.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def skill_labels(self) -> list[str]:
        return [skill.label for skill in self.skills]


class LedgerEntry(BaseModel):
    party_member_id: int
    person_id: int
    name: str
    household_id: int | None
    party_org_id: int
    skills: list[Skill]
    skill_labels: list[str]
    checked_in: bool


class Ledger(BaseModel):
    ledger: PartyLedger
    label: str
    count: int
    members: list[LedgerEntry]


class CompoundLedgers(BaseModel):
    """四类党员台账 of one compound."""

    compound_id: int
    compound_name: str
    total: int
    ledgers: list[Ledger]


# --- check-ins ----------------------------------------------------------------------------


class CheckInCreate(In):
    party_member_id: int = Id
    compound_id: int = Id
    post: str = Field(min_length=1, max_length=100, examples=["楼道卫生监督岗"], description="设岗定责")


class CheckInEnd(VersionedChange, In):
    pass


class CheckInOut(Out):
    """Who checked in comes from the member's person, loaded beside the check-in."""

    party_member_id: int
    person_id: int
    name: str
    compound_id: int
    post: str
    checked_in_at: datetime
    ended_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def active(self) -> bool:
        return self.ended_at is None


# --- center households --------------------------------------------------------------------


class CenterHouseholdCreate(In):
    household_id: int = Id
    party_member_id: int = Id
    mentored_household_ids: list[int] = Field(default_factory=list, max_length=MAX_MENTORED * 10)


class CenterHouseholdUpdate(VersionedChange, In):
    mentored_household_ids: list[int] | None = Field(default=None, max_length=MAX_MENTORED * 10)


class CenterHouseholdOut(Out):
    household_id: int
    party_member_id: int
    compound_id: int
    mentored_household_ids: list[int]
