"""All billing routes: one router per sub-package, plus the enum labels."""

from __future__ import annotations

from fastapi import APIRouter

from services.billing.bills.api import router as bills_router
from services.billing.bills.domain import BillKind, BillStatus, PayerKind, PeriodKind
from services.billing.contracts.api import router as contracts_router
from services.billing.contracts.domain import CreditList
from services.billing.disclosure.api import router as disclosure_router
from services.billing.figures.api import router as figures_router
from services.billing.funds.api import router as funds_router
from services.billing.funds.domain import DevelopmentFundSource, FundKind, RevenueSource
from services.billing.ledger.api import router as ledger_router
from services.billing.ledger.domain import AccountKind
from services.billing.levies.api import router as levies_router
from services.billing.payments.api import router as payments_router
from services.billing.payments.domain import Channel, OrderStatus, PaymentStatus
from services.billing.payments.simulator import router as payment_simulator_router
from services.billing.projections.api import router as projections_router
from services.billing.projections.models import compound_projection, household_projection
from services.billing.rates.api import router as rates_router
from services.billing.rates.domain import ManagementModel, RateScope, Structure
from services.billing.spaces.api import router as spaces_router
from services.billing.spaces.domain import BookingStatus, Pricing, SpaceKind
from shared.http import service_router
from shared.labels import LabeledEnum
from shared.projections import compound_projection_routes

ENUMS: dict[str, type[LabeledEnum]] = {
    "account_kind": AccountKind,
    "bill_kind": BillKind,
    "bill_status": BillStatus,
    "payment_channel": Channel,
    "payment_status": PaymentStatus,
    "payment_order_status": OrderStatus,
    "payer_kind": PayerKind,
    "period_kind": PeriodKind,
    "fund_kind": FundKind,
    "revenue_source": RevenueSource,
    "development_fund_source": DevelopmentFundSource,
    "rate_scope": RateScope,
    "building_structure": Structure,
    "management_model": ManagementModel,
    "space_kind": SpaceKind,
    "space_pricing": Pricing,
    "booking_status": BookingStatus,
    "company_credit_list": CreditList,
}

router = service_router("/api/v1/billing", tags=["billing"])
compound_projection_routes(router, compound_projection, household_projection)


@router.get("/enums", summary="枚举及中文标签 (enum values with Chinese labels)")
async def enums() -> dict[str, list[dict[str, str]]]:
    return {name: enum.choices() for name, enum in ENUMS.items()}


ROUTERS: list[APIRouter] = [
    router,
    projections_router,
    rates_router,
    bills_router,
    payments_router,
    payment_simulator_router,
    funds_router,
    levies_router,
    disclosure_router,
    figures_router,
    ledger_router,
    spaces_router,
    contracts_router,
]
