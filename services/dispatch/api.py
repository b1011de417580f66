"""All dispatch routes: one router per sub-package, plus the enum labels."""

from __future__ import annotations

from fastapi import APIRouter

from services.dispatch.base import compound_projection
from services.dispatch.care_zones.api import router as care_zones_router
from services.dispatch.care_zones.domain import ENUMS as CARE_ZONE_ENUMS
from services.dispatch.catalogue.api import router as catalogue_router
from services.dispatch.catalogue.domain import ENUMS as CATALOGUE_ENUMS
from services.dispatch.credit.api import router as credit_router
from services.dispatch.credit.domain import ENUMS as CREDIT_ENUMS
from services.dispatch.matching.api import router as matching_router
from services.dispatch.matching.domain import CandidateKind
from services.dispatch.mediation.api import router as mediation_router
from services.dispatch.mediation.domain import ENUMS as MEDIATION_ENUMS
from services.dispatch.open311.api import keys_router as open311_keys_router
from services.dispatch.open311.api import router as open311_router
from services.dispatch.orders.api import router as orders_router
from services.dispatch.orders.domain import ENUMS as ORDER_ENUMS
from services.dispatch.orders.photos import router as photos_router
from services.dispatch.points.api import router as points_router
from services.dispatch.points.domain import ENUMS as POINTS_ENUMS
from services.dispatch.projections.models import HouseholdView
from services.dispatch.sla.api import router as sla_router
from services.dispatch.sla.domain import SlaSource
from services.dispatch.stats.api import router as stats_router
from services.dispatch.stream.api import router as stream_router
from shared.http import service_router
from shared.labels import LabeledEnum
from shared.party import PartyLedger, Skill
from shared.projections import compound_projection_routes

# Members' ledgers and skills are the registry's vocabularies (shared/party.py); candidates and
# eligibility show them, so a client reads their labels here too.
ENUMS: dict[str, type[LabeledEnum]] = {
    **ORDER_ENUMS,
    **CATALOGUE_ENUMS,
    **POINTS_ENUMS,
    **MEDIATION_ENUMS,
    **CREDIT_ENUMS,
    **CARE_ZONE_ENUMS,
    "party_ledger": PartyLedger,
    "skill": Skill,
    "candidate_kind": CandidateKind,
    "sla_source": SlaSource,
}

router = service_router("/api/v1/dispatch", tags=["dispatch"])
compound_projection_routes(router, compound_projection, HouseholdView.__table__)


@router.get("/enums", summary="枚举及中文标签 (enum values with Chinese labels)")
async def enums() -> dict[str, list[dict[str, str]]]:
    return {name: enum.choices() for name, enum in ENUMS.items()}


ROUTERS: list[APIRouter] = [
    catalogue_router,
    orders_router,
    photos_router,
    points_router,
    credit_router,
    care_zones_router,
    matching_router,
    stats_router,
    mediation_router,
    open311_router,
    open311_keys_router,
    stream_router,
    sla_router,
    router,
]
