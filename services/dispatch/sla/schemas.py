"""Bodies of the SLA sheet: each category's clocks per urgency and stage at one place, and where
each figure comes from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.dispatch.catalogue.domain import Stage, Urgency
from services.dispatch.sla.domain import SlaSource

Level = Literal["street", "community", "grid"]


class SlaCell(BaseModel):
    urgency: Urgency
    urgency_label: str
    stage: Stage
    stage_label: str
    seconds: int
    source: SlaSource
    source_label: str


class SlaCategoryOut(BaseModel):
    code: str
    name: str
    own: dict[str, dict[str, int]] = Field(description="this place's own figures {urgency: {stage: seconds}}")
    version: int = Field(description="version of this place's figures; 0 while it has none")
    cells: list[SlaCell]


class SlaSheetOut(BaseModel):
    level: Level
    place_id: int
    categories: list[SlaCategoryOut]


class SlaPlaceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sla: dict[str, dict[str, int]] = Field(
        description="this place's own figures {urgency: {stage: seconds}}; what it leaves out follows the place above"
    )
    version: int = Field(ge=0, description="the version read (0: the place had no figures of its own)")
