"""Request and response bodies of people: residents (personal data masked unless asked for with
a purpose), grid workers, heads and resident units."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, computed_field

from services.registry.bodies import In, Out
from services.registry.people.domain import Gender, GridWorkerKind, HeadKind, ResidentKind
from services.registry.resources import VersionedChange
from shared.pagination import Page

Id = Field(gt=0)


# --- residents -----------------------------------------------------------------------------


class ResidentCreate(In):
    name: str = Field(min_length=1, max_length=50, examples=["王秀英"])
    gender: Gender | None = None
    birth_date: date | None = Field(default=None, description="出生日期；有身份证号时可省略，须与之一致")
    id_card: str | None = Field(default=None, max_length=40, description="18 位身份证号 (GB 11643)")
    mobile: str | None = Field(default=None, max_length=40, examples=["13800000004"])
    household_id: int | None = Field(default=None, gt=0, description="住户；小区由住户推出")
    compound_id: int | None = Field(default=None, gt=0, description="无住户记录时所在小区")
    kind: ResidentKind = ResidentKind.family
    relation: str | None = Field(default=None, max_length=20, examples=["户主"])
    moved_in: date | None = None
    moved_out: date | None = None


class ResidentUpdate(VersionedChange, In):
    """Fields left out stay; `null` clears an optional field (mobile, id_card, household …)."""

    name: str | None = Field(default=None, min_length=1, max_length=50)
    gender: Gender | None = None
    birth_date: date | None = None
    id_card: str | None = Field(default=None, max_length=40)
    mobile: str | None = Field(default=None, max_length=40)
    household_id: int | None = Field(default=None, gt=0)
    compound_id: int | None = Field(default=None, gt=0)
    kind: ResidentKind | None = None
    relation: str | None = Field(default=None, max_length=20)
    moved_in: date | None = None
    moved_out: date | None = None


class ResidentOut(Out):
    """A resident as every permitted reader sees them: ID card and mobile masked (decrypted and
    masked beside the row, `show_resident`)."""

    name: str
    gender: Gender | None
    birth_date: date | None
    id_card_masked: str | None = Field(examples=["1101**********1234"])
    mobile_masked: str | None = Field(examples=["138****0004"])
    household_id: int | None
    compound_id: int | None
    kind: ResidentKind
    relation: str | None
    moved_in: date | None
    moved_out: date | None
    anonymised: bool

    @computed_field  # type: ignore[prop-decorator]
    @property
    def gender_label(self) -> str | None:
        return self.gender.label if self.gender is not None else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return self.kind.label


class ResidentMatch(BaseModel):
    """A resident found by name, as a grid worker sees him at first: name and mobile masked."""

    person_id: int
    name_masked: str = Field(examples=["王*英"])
    mobile_masked: str | None = Field(examples=["138****0004"])
    kind: ResidentKind
    kind_label: str
    household_id: int | None
    compound_id: int | None
    compound_name: str
    address: str | None = Field(examples=["1号楼1单元301室"])


class ResidentMatchPage(Page[ResidentMatch]):
    """Residents whose name contains the words, by id."""


class PersonalDataOut(BaseModel):
    """Full values, for a role that needs them; the read is logged (access_id)."""

    person_id: int
    name: str
    id_card: str | None
    mobile: str | None
    purpose: str
    access_id: int


# --- grid workers --------------------------------------------------------------------------


class GridWorkerCreate(In):
    person_id: int = Id
    kind: GridWorkerKind
    grid_ids: list[int] = Field(min_length=1, max_length=50, description="服务的网格")


class GridWorkerUpdate(VersionedChange, In):
    kind: GridWorkerKind | None = None
    grid_ids: list[int] | None = Field(default=None, min_length=1, max_length=50)


class GridWorkerOut(Out):
    """The name and the grids come from the person's row and the assignments, beside the row."""

    person_id: int
    name: str
    kind: GridWorkerKind
    grid_ids: list[int]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return self.kind.label


# --- heads ---------------------------------------------------------------------------------


class HeadCreate(In):
    kind: HeadKind = Field(description="building 楼栋长 / entrance 单元长 / courtyard 院落长")
    place_id: int = Field(gt=0, description="the building, entrance or courtyard headed")
    person_id: int = Id


class HeadUpdate(VersionedChange, In):
    person_id: int = Id


class HeadOut(Out):
    """The head's name comes from the person's row (`row_with(head, person_name=…)`)."""

    kind: HeadKind
    place_id: int
    compound_id: int
    person_id: int
    person_name: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return self.kind.label


# --- resident units ------------------------------------------------------------------------


class ResidentUnitCreate(In):
    community_id: int = Id
    name: str = Field(min_length=1, max_length=100, examples=["太原市第五人民医院"])
    contact_person_id: int | None = Field(default=None, gt=0)


class ResidentUnitUpdate(VersionedChange, In):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    contact_person_id: int | None = Field(default=None, gt=0)


class ResidentUnitOut(Out):
    community_id: int
    name: str
    contact_person_id: int | None


class PersonalDataAccessOut(BaseModel):
    """One full-value read of the person's data, as the log keeps it: who read, as what, which
    fields, why and when."""

    id: int
    person_id: int
    person_name: str = Field(
        description="the person whose data was read (full name: the log is for staff who may read it)"
    )
    reader_person_id: int | None
    reader_name: str | None
    reader_roles: str
    reader_roles_label: str = Field(examples=["社区管理员（社区 1）"])
    fields: list[str]
    field_labels: list[str]
    purpose: str
    read_at: datetime


class PersonalDataAccessPage(Page[PersonalDataAccessOut]):
    """Reads of full personal data, newest first."""
