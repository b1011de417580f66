"""Every billing table, imported so Alembic and the app see one MetaData."""

from services.billing.base import metadata
from services.billing.bills.models import bill_lines, bill_runs, bills
from services.billing.contracts.models import (
    contract_items,
    performance_reviews,
    property_companies,
    satisfaction_surveys,
    service_contracts,
    survey_answers,
    survey_respondents,
)
from services.billing.disclosure.models import disclosures
from services.billing.funds.models import (
    distribution_rules,
    distributions,
    fund_movements,
    maintenance_decisions,
    revenues,
    visit_charges,
)
from services.billing.ledger.models import accounts, journal_entries, journal_lines
from services.billing.levies.models import levies
from services.billing.payments.models import (
    payment_allocations,
    payment_notifications,
    payment_orders,
    payments,
    receipt_counters,
    refunds,
)
from services.billing.projections.models import (
    building_projection,
    community_projection,
    compound_projection,
    dwelling_projection,
    household_projection,
    ownership_projection,
)
from services.billing.rates.models import rate_cards
from services.billing.spaces.models import shared_spaces, space_bookings, space_uses

__all__ = [
    "accounts",
    "bill_lines",
    "bill_runs",
    "bills",
    "building_projection",
    "community_projection",
    "compound_projection",
    "contract_items",
    "disclosures",
    "distribution_rules",
    "distributions",
    "dwelling_projection",
    "fund_movements",
    "household_projection",
    "journal_entries",
    "journal_lines",
    "levies",
    "maintenance_decisions",
    "metadata",
    "ownership_projection",
    "payment_allocations",
    "payment_notifications",
    "payment_orders",
    "payments",
    "performance_reviews",
    "property_companies",
    "rate_cards",
    "receipt_counters",
    "refunds",
    "revenues",
    "satisfaction_surveys",
    "service_contracts",
    "shared_spaces",
    "space_bookings",
    "space_uses",
    "survey_answers",
    "survey_respondents",
    "visit_charges",
]
