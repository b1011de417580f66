"""Bodies of care zones and inspections."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.pagination import Page


class ZoneCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    compound_id: int = Field(gt=0)
    building_id: int = Field(gt=0)
    name: str = Field(min_length=1, max_length=100, examples=["3栋南侧花坛"])
    household_id: int | None = Field(default=None, gt=0, description="the household that keeps it")


class ZoneAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")
    household_id: int | None = Field(gt=0, description="null: nobody keeps the zone for now")
    version: int = Field(ge=1, description="the version you saw")


class ZoneOut(BaseModel):
    id: int
    compound_id: int
    building_id: int
    building_number: str
    name: str
    household_id: int | None
    household_label: str | None
    version: int
    last_result: str | None
    last_result_label: str | None
    last_inspected_at: datetime | None


class ZonePage(Page[ZoneOut]):
    """Care zones, by building then id."""


class InspectionOut(BaseModel):
    id: int
    zone_id: int
    zone_name: str
    household_id: int
    household_label: str
    period: str
    result: str
    result_label: str
    note: str
    photos: list[str] = Field(description="names; GET /care-zones/inspections/{id}/photos/{name}")
    inspector_person_id: int | None
    credit_entry_id: int | None
    points: int
    at: datetime


class InspectionPage(Page[InspectionOut]):
    """Inspections, newest first."""


class MyZone(BaseModel):
    household_id: int
    household_label: str
    zone: ZoneOut | None
    inspections: list[InspectionOut]
