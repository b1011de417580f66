"""Routes of the registry's pairings."""

from __future__ import annotations

from shared.http import service_router

router = service_router("/api/v1/registry", tags=["registry"])
