"""Events billing consumes: registry records (projections)."""

from __future__ import annotations

from services.billing.projections.models import compound_projection
from services.billing.projections.service import register_projections
from shared.events.consumer import EventHandlers
from shared.projections import project_compounds

handlers = EventHandlers()
project_compounds(handlers, compound_projection)
register_projections(handlers)
