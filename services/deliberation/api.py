"""Deliberation HTTP routes."""

from __future__ import annotations

from services.deliberation.models import compound_projection
from shared.http import service_router
from shared.projections import compound_projection_routes

router = service_router("/api/v1/deliberation", tags=["deliberation"])
compound_projection_routes(router, compound_projection)
