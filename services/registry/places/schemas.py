"""Request and response bodies of the place tree."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field, computed_field

from services.registry.bodies import In, Out
from services.registry.places.domain import (
    BuildingStructure,
    CompoundKind,
    DwellingUsage,
    ManagementModel,
    PlaceKind,
    SaleStatus,
)
from services.registry.resources import VersionedChange

Name = Field(min_length=1, max_length=100)
Id = Field(gt=0)


class StreetCreate(In):
    name: str = Field(min_length=1, max_length=100, examples=["三桥街道"])


class StreetUpdate(VersionedChange, In):
    name: str | None = Field(default=None, min_length=1, max_length=100)


class StreetOut(Out):
    name: str


class CommunityCreate(In):
    street_id: int = Id
    name: str = Field(min_length=1, max_length=100, examples=["杏花岭社区"])


class CommunityUpdate(VersionedChange, In):
    name: str | None = Field(default=None, min_length=1, max_length=100)


class CommunityOut(Out):
    street_id: int
    name: str


class GridCreate(In):
    community_id: int = Id
    name: str = Field(min_length=1, max_length=100, examples=["第一网格"])


class GridUpdate(VersionedChange, In):
    name: str | None = Field(default=None, min_length=1, max_length=100)


class GridOut(Out):
    community_id: int
    name: str


ClusterCreate, ClusterUpdate = GridCreate, GridUpdate


class ClusterOut(GridOut):
    pass


class CompoundCreate(In):
    name: str = Field(min_length=1, max_length=100, examples=["杏花岭小区"])
    community_id: int = Id
    kind: CompoundKind = Field(examples=["old"])
    management_model: ManagementModel = Field(examples=["self_managed"])
    grid_id: int | None = Field(default=None, gt=0)
    cluster_id: int | None = Field(default=None, gt=0)


class CompoundUpdate(VersionedChange, In):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    kind: CompoundKind | None = None
    management_model: ManagementModel | None = None
    grid_id: int | None = Field(default=None, gt=0)
    cluster_id: int | None = Field(default=None, gt=0)


class CompoundOut(Out):
    name: str
    community_id: int
    grid_id: int | None
    cluster_id: int | None
    kind: CompoundKind
    management_model: ManagementModel

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return self.kind.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def management_model_label(self) -> str:
        return self.management_model.label


class CourtyardCreate(In):
    compound_id: int = Id
    name: str = Field(min_length=1, max_length=100, examples=["东院"])


class CourtyardUpdate(VersionedChange, In):
    name: str | None = Field(default=None, min_length=1, max_length=100)


class CourtyardOut(Out):
    compound_id: int
    name: str


class BuildingCreate(In):
    compound_id: int = Id
    courtyard_id: int | None = Field(default=None, gt=0)
    number: str = Field(min_length=1, max_length=30, examples=["3"])
    structure: BuildingStructure
    floors: int = Field(ge=1, le=200)


class BuildingUpdate(VersionedChange, In):
    courtyard_id: int | None = Field(default=None, gt=0)
    number: str | None = Field(default=None, min_length=1, max_length=30)
    structure: BuildingStructure | None = None
    floors: int | None = Field(default=None, ge=1, le=200)


class BuildingOut(Out):
    compound_id: int
    courtyard_id: int | None
    number: str
    structure: BuildingStructure
    floors: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def structure_label(self) -> str:
        return self.structure.label


class EntranceCreate(In):
    building_id: int = Id
    number: str = Field(min_length=1, max_length=30, examples=["1"])


class EntranceUpdate(VersionedChange, In):
    number: str | None = Field(default=None, min_length=1, max_length=30)


class EntranceOut(Out):
    building_id: int
    compound_id: int
    number: str


class DwellingCreate(In):
    entrance_id: int = Id
    room: str = Field(min_length=1, max_length=30, examples=["301"])
    floor: int | None = Field(default=None, ge=-5, le=200)
    area_m2: Decimal = Field(description="建筑面积 m², > 0, at most two decimals", examples=["86.50"])
    exclusive_area_m2: Decimal | None = Field(default=None, description="专有部分面积; defaults to area_m2")
    usage: DwellingUsage = DwellingUsage.residential
    sale_status: SaleStatus = SaleStatus.sold
    delivered: bool = True


class DwellingUpdate(VersionedChange, In):
    room: str | None = Field(default=None, min_length=1, max_length=30)
    floor: int | None = Field(default=None, ge=-5, le=200)
    area_m2: Decimal | None = None
    exclusive_area_m2: Decimal | None = None
    usage: DwellingUsage | None = None
    sale_status: SaleStatus | None = None
    delivered: bool | None = None


class DwellingOut(Out):
    entrance_id: int
    building_id: int
    compound_id: int
    room: str
    floor: int | None
    area_m2: Decimal
    exclusive_area_m2: Decimal
    usage: DwellingUsage
    sale_status: SaleStatus
    delivered: bool

    @computed_field  # type: ignore[prop-decorator]
    @property
    def usage_label(self) -> str:
        return self.usage.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sale_status_label(self) -> str:
        return self.sale_status.label


class HouseholdCreate(In):
    dwelling_id: int = Id
    needy: bool = False
    note: str | None = Field(default=None, max_length=200)


class HouseholdUpdate(VersionedChange, In):
    needy: bool | None = None
    note: str | None = Field(default=None, max_length=200)


class HouseholdOut(Out):
    dwelling_id: int
    compound_id: int
    needy: bool
    note: str | None


class OwnershipCreate(In):
    dwelling_id: int = Id
    person_id: int = Id
    share_bp: int = Field(default=10_000, ge=1, le=10_000, description="份额，基点 (10000 = 100%)")
    since: date | None = None


class OwnershipUpdate(VersionedChange, In):
    share_bp: int | None = Field(default=None, ge=1, le=10_000)
    until: date | None = None


class OwnershipOut(Out):
    dwelling_id: int
    compound_id: int
    person_id: int
    share_bp: int
    since: date | None
    until: date | None


class TreeDwelling(BaseModel):
    id: int
    room: str
    area_m2: Decimal
    exclusive_area_m2: Decimal
    sale_status: SaleStatus
    household_ids: list[int]


class TreeEntrance(BaseModel):
    id: int
    number: str
    dwellings: list[TreeDwelling]


class TreeBuilding(BaseModel):
    id: int
    number: str
    structure: BuildingStructure
    floors: int
    courtyard_id: int | None
    entrances: list[TreeEntrance]


class CompoundTree(BaseModel):
    """The whole compound in one call."""

    compound: CompoundOut
    courtyards: list[CourtyardOut]
    buildings: list[TreeBuilding]
    totals: dict[str, object]


class PlaceRights(BaseModel):
    """What the caller may do at one place (or, without one, at the top of the tree): the same
    checks the place's own routes make, asked without changing anything, so a screen shows only
    the buttons that would work."""

    kind: PlaceKind | None
    place_id: int | None
    may_update: bool = Field(description="可修改 (PATCH would pass the place check)")
    may_remove: bool = Field(
        description="可删除 (DELETE would pass the place check; it still refuses a place with records attached)"
    )
    may_create: list[PlaceKind] = Field(
        description="可在其下新建的地点 (kinds the caller may create directly below it)"
    )
