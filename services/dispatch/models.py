"""Every dispatch table, imported so Alembic and the app see one MetaData."""

from services.dispatch.base import Base, compound_projection, metadata
from services.dispatch.care_zones.models import CareZone, ZoneInspection
from services.dispatch.catalogue.models import CategoryRow
from services.dispatch.credit.models import CreditEntry, CreditLists, CreditRuleRow, ShopItem
from services.dispatch.matching.models import EligibilityRow
from services.dispatch.mediation.models import MediationCase, MediationParty, MediationSession
from services.dispatch.open311.models import ClientKey
from services.dispatch.orders.models import Offer, Order, OrderEntry
from services.dispatch.points.models import PointsEntry, PointsRuleRow, PublishedLists
from services.dispatch.projections.models import (
    BuildingView,
    CheckInView,
    CompoundArea,
    DwellingView,
    EntranceView,
    GridWorkerView,
    HouseholdView,
    MemberHouseholdLink,
    MemberView,
)
from services.dispatch.sla.models import Deadline
from services.dispatch.stream.models import FeedCounter, FeedItem

__all__ = [
    "Base",
    "BuildingView",
    "CareZone",
    "CategoryRow",
    "CheckInView",
    "ClientKey",
    "CompoundArea",
    "CreditEntry",
    "CreditLists",
    "CreditRuleRow",
    "Deadline",
    "DwellingView",
    "EligibilityRow",
    "EntranceView",
    "FeedCounter",
    "FeedItem",
    "GridWorkerView",
    "HouseholdView",
    "MediationCase",
    "MediationParty",
    "MediationSession",
    "MemberHouseholdLink",
    "MemberView",
    "Offer",
    "Order",
    "OrderEntry",
    "PointsEntry",
    "PointsRuleRow",
    "PublishedLists",
    "ShopItem",
    "ZoneInspection",
    "compound_projection",
    "metadata",
]
