"""What volunteer teams and volunteers are given and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, computed_field

from shared.pagination import Page
from shared.party import Skill, skill_label

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class TeamCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    compound_id: int = Field(gt=0)
    name: Name = Field(examples=["红邻服务队·水电维修队"])
    focus: str = Field(default="", max_length=500, examples=["楼栋照明维护、水电小修"])


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    compound_id: int
    name: str
    focus: str
    members: int = 0


class VolunteerRegister(BaseModel):
    model_config = ConfigDict(extra="forbid")

    skills: list[Skill] = Field(min_length=1, max_length=len(Skill), examples=[["plumber", "electrician"]])
    team_ids: list[int] = Field(
        default=[], max_length=20, description="本小区的服务队 (teams of the caller's compound)"
    )
    note: str = Field(default="", max_length=200, examples=["周末有空"])


class SkillOut(BaseModel):
    value: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label(self) -> str:
        return skill_label(self.value)


class VolunteerOut(BaseModel):
    id: int
    version: int
    person_id: int
    name: str
    compound_id: int
    household_id: int
    skills: list[SkillOut]
    teams: list[TeamOut]
    note: str
    active: bool
    created_at: datetime


class VolunteerPage(Page[VolunteerOut]):
    """A compound's volunteers (特长户), most recent first."""


class MyVolunteering(BaseModel):
    """The caller's own registration (none yet: null) and the teams of their compound to join."""

    compound_id: int
    volunteer: VolunteerOut | None
    teams: list[TeamOut]
