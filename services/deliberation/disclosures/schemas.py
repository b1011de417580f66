"""Disclosure bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.deliberation.disclosures.domain import DisclosureKind
from shared.responses import FromRow


class DisclosureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: DisclosureKind
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=20000)
    proposal_id: int | None = Field(default=None, gt=0)
    vote_id: int | None = Field(default=None, gt=0, description="计票公示：附上该次表决的计票哈希")


class DisclosureOut(FromRow):
    id: int
    compound_id: int
    proposal_id: int | None
    kind: DisclosureKind
    title: str
    body: str
    published_by_person_id: int
    published_at: datetime
    audit_hash: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return self.kind.label
