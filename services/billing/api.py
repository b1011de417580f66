"""Billing HTTP routes."""

from __future__ import annotations

from services.billing.models import compound_projection
from shared.http import service_router
from shared.projections import compound_projection_routes

router = service_router("/api/v1/billing", tags=["billing"])
compound_projection_routes(router, compound_projection)
