"""What a household visit is given and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.pagination import Page

Found = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class HouseholdVisitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    household_id: int = Field(gt=0, description="走访的住户 (the household visited)")
    visited_at: AwareDatetime | None = Field(
        default=None, description="走访时间，不填为现在；不能晚于现在 (when; now if omitted, never in the future)"
    )
    found: Found = Field(description="走访发现的情况 (what was found)", examples=["独居老人，身体尚好，厨房水管老化"])
    follow_up_needed: bool = Field(default=False, description="是否需要跟进 (a follow-up is needed)")
    follow_up: str | None = Field(
        default=None, max_length=1000, description="跟进事项 (what to follow up)", examples=["联系党员更换水管"]
    )


class HouseholdVisitOut(BaseModel):
    """One entry of the visit ledger (走访台账)."""

    id: int
    household_id: int
    address: str = Field(examples=["1号楼1单元301室"])
    compound_id: int
    compound_name: str
    grid_id: int | None
    visitor_person_id: int | None
    visitor_name: str | None
    visited_at: datetime
    found: str
    follow_up_needed: bool
    follow_up: str | None
    created_at: datetime


class HouseholdVisitPage(Page[HouseholdVisitOut]):
    """Visits, the most recently recorded first."""
