"""All registry routes: one router per sub-package, plus the enum labels."""

from __future__ import annotations

from fastapi import APIRouter

from services.registry.places.api import router as places_router
from services.registry.places.domain import BuildingStructure, CompoundKind, DwellingUsage, ManagementModel, SaleStatus
from shared.http import service_router
from shared.labels import LabeledEnum

ENUMS: dict[str, type[LabeledEnum]] = {
    "compound_kind": CompoundKind,
    "management_model": ManagementModel,
    "building_structure": BuildingStructure,
    "dwelling_usage": DwellingUsage,
    "sale_status": SaleStatus,
}

enums_router = service_router("/api/v1/registry", tags=["registry"])


@enums_router.get("/enums", summary="枚举及中文标签 (enum values with Chinese labels)")
async def enums() -> dict[str, list[dict[str, str]]]:
    return {name: enum.choices() for name, enum in ENUMS.items()}


ROUTERS: list[APIRouter] = [places_router, enums_router]
