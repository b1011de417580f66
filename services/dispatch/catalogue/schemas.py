"""Bodies of the category catalogue."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.dispatch.catalogue.domain import ChargeTo, DispatchMode


class FieldSpecBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1, max_length=40)
    required: bool = False


class CategoryBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    skills: list[str] = Field(default_factory=list, max_length=20)
    dispatch_mode: DispatchMode = DispatchMode.assign
    fields: list[FieldSpecBody] = Field(default_factory=list, max_length=20)
    shared_property_price_fen: int | None = Field(default=None, ge=0)
    market_price_fen: int | None = Field(default=None, ge=0)
    charge_to: ChargeTo = ChargeTo.household
    max_offers: int = Field(default=3, ge=1, le=10)
    sla: dict[str, dict[str, int]] = Field(default_factory=dict, description="{urgency: {stage: seconds}}")
    active: bool = True


class CategoryCreate(CategoryBody):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")


class CategoryUpdate(CategoryBody):
    version: int = Field(gt=0)


class CategoryOut(CategoryCreate):
    dispatch_mode_label: str
    version: int
