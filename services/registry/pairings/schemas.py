"""Request and response bodies of pairings (包联) and the compound's public wall (上墙公示)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.registry.bodies import Out
from services.registry.pairings.domain import PairingKind
from services.registry.resources import VersionedChange


class PairingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: PairingKind = Field(examples=["center_needy"])
    compound_id: int = Field(gt=0)
    cadre_person_id: int | None = Field(default=None, gt=0, description="cadre_compound: the cadre")
    party_member_id: int | None = Field(default=None, gt=0, description="member_household: the in-service member")
    center_household_id: int | None = Field(default=None, gt=0, description="center_needy: the center household")
    household_id: int | None = Field(default=None, gt=0, description="the household paired with (not for cadres)")
    public: bool = Field(default=True, description="上墙公示")
    since: date | None = Field(default=None, description="defaults to today")
    until: date | None = None


class PairingUpdate(VersionedChange):
    model_config = ConfigDict(extra="forbid")

    public: bool | None = None
    until: date | None = None


class PairingOut(Out):
    kind: PairingKind
    compound_id: int
    cadre_person_id: int | None
    party_member_id: int | None
    center_household_id: int | None
    household_id: int | None
    public: bool
    since: date | None
    until: date | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return self.kind.label


class WallEntry(BaseModel):
    """One line of the wall: who pairs with whom, by name and address; never a phone or ID."""

    pairing_id: int
    kind: PairingKind
    kind_label: str
    pairer_label: str
    pairer_name: str
    target: str
    household_id: int | None
    since: date | None
    until: date | None


class PostOnWall(BaseModel):
    """A service post and the members holding it (设岗定责, shown beside the pairings)."""

    post_id: int
    name: str
    duty: str
    seats: int
    holders: list[str]


class PairingWall(BaseModel):
    """上墙公示: a compound's public, running pairings, and its service posts with their holders."""

    compound_id: int
    compound_name: str
    as_of: date
    counts: dict[str, int]
    pairings: list[WallEntry]
    posts: list[PostOnWall] = []
