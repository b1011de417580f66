"""Response bodies of the coverage statistics."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class CoverageFigures(BaseModel):
    """Counts and rates (percent, two decimals, as strings) for one community or a total."""

    compounds: int
    compounds_with_party_branch: int
    party_branch_rate: str = Field(examples=["100.00"])
    compounds_with_building_heads: int
    building_head_rate: str
    compounds_with_committee: int
    committee_rate: str
    party_members: int
    party_members_by_ledger: dict[str, int]
    in_service_members: int
    in_service_checked_in: int
    check_in_rate: str
    pairings: int
    pairings_by_kind: dict[str, int]


class CommunityCoverage(CoverageFigures):
    community_id: int
    community_name: str


class CoverageReport(BaseModel):
    street_id: int
    community_id: int | None
    communities: list[CommunityCoverage]
    totals: CoverageFigures


class PlaceRef(BaseModel):
    """A place of the tree: its level, id and name."""

    level: str = Field(examples=["community"])
    place_id: int
    name: str


class PlaceFigures(CoverageFigures):
    """Coverage of one place below the one asked for, with its compounds (for drill-down)."""

    level: str
    place_id: int
    name: str
    compound_ids: list[int]


class RegistryFigures(BaseModel):
    level: str
    place_id: int
    name: str
    path: list[PlaceRef] = Field(description="the places above, street first, and this one last")
    date_from: date
    date_to: date
    time_zone: str = "Asia/Shanghai"
    compound_ids: list[int]
    totals: CoverageFigures
    center_households: int = Field(description="党员中心户")
    mentored_households: int = Field(description="households those center households help (1+N)")
    check_ins_in_period: int = Field(description="in-service members who checked in during the period")
    children: list[PlaceFigures] = Field(description="the places one level down, each with its figures")
