"""Response bodies of the coverage statistics."""

from __future__ import annotations

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
