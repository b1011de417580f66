"""All registry routes: one router per sub-package, plus the enum labels."""

from __future__ import annotations

from fastapi import APIRouter

from services.registry.accounts.api import auth_router
from services.registry.accounts.api import router as accounts_router
from services.registry.accounts.party_card import router as party_card_router
from services.registry.committees.api import router as committees_router
from services.registry.committees.domain import ENUMS as COMMITTEE_ENUMS
from services.registry.emergency.api import router as emergency_router
from services.registry.emergency.domain import ENUMS as EMERGENCY_ENUMS
from services.registry.ledgers.api import router as ledgers_router
from services.registry.ledgers.domain import ImportMode, Ledger
from services.registry.notifications.api import router as notifications_router
from services.registry.notifications.domain import ENUMS as NOTIFICATION_ENUMS
from services.registry.pairings.api import router as pairings_router
from services.registry.pairings.domain import ENUMS as PAIRING_ENUMS
from services.registry.party.api import router as party_router
from services.registry.party.domain import ENUMS as PARTY_ENUMS
from services.registry.people.api import router as people_router
from services.registry.people.domain import ENUMS as PEOPLE_ENUMS
from services.registry.places.api import router as places_router
from services.registry.places.domain import BuildingStructure, CompoundKind, DwellingUsage, ManagementModel, SaleStatus
from services.registry.posts.api import router as posts_router
from services.registry.stats.api import router as stats_router
from services.registry.visits.api import router as visits_router
from services.registry.volunteers.api import router as volunteers_router
from shared.http import service_router
from shared.labels import LabeledEnum

ENUMS: dict[str, type[LabeledEnum]] = {
    "compound_kind": CompoundKind,
    "management_model": ManagementModel,
    "building_structure": BuildingStructure,
    "dwelling_usage": DwellingUsage,
    "sale_status": SaleStatus,
    **PEOPLE_ENUMS,
    **PARTY_ENUMS,
    **PAIRING_ENUMS,
    **COMMITTEE_ENUMS,
    **NOTIFICATION_ENUMS,
    **EMERGENCY_ENUMS,
    "import_ledger": Ledger,
    "import_mode": ImportMode,
}

enums_router = service_router("/api/v1/registry", tags=["registry"])


@enums_router.get("/enums", summary="枚举及中文标签 (enum values with Chinese labels)")
async def enums() -> dict[str, list[dict[str, str]]]:
    return {name: enum.choices() for name, enum in ENUMS.items()}


ROUTERS: list[APIRouter] = [
    places_router,
    people_router,
    party_router,
    pairings_router,
    committees_router,
    auth_router,
    accounts_router,
    party_card_router,
    ledgers_router,
    stats_router,
    notifications_router,
    visits_router,
    emergency_router,
    volunteers_router,
    posts_router,
    enums_router,
]
